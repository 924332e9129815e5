from django.conf.locale.fr.formats import DATE_INPUT_FORMATS as LANGUAGE_DATE_INPUT_FORMATS

DATE_INPUT_FORMATS = ["%Y-%m-%d", *LANGUAGE_DATE_INPUT_FORMATS]  # see environet/formats/__init__.py
