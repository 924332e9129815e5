"""Receiving uploaded files: in memory only, and no more of each than the attachment limit.

Django's default handlers write a large upload to a temporary file, which would leave the plaintext of
an attachment on the disk before it is encrypted. This handler keeps every file in memory instead, up to
settings.MAX_ATTACHMENT_BYTES; past that it keeps counting but drops the bytes, so the form can still say
how large the refused file was, and the rest of the form (the draft) arrives whole.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class BoundedMemoryUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received <= settings.MAX_ATTACHMENT_BYTES:
            self.buffer.write(raw_data)
        elif self.buffer.tell():
            self.buffer = BytesIO()  # too large: it will be refused, so free what was kept
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
