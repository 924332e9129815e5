"""Search snippets (issue 12): the text a reader sees, not raw Markdown, with the words found highlighted and
everything else escaped."""

from messaging import render, search
from messaging.tests.test_search import api, page, post

MARKDOWN = """## Port report

Found **forty tusks** hidden in a [timber container](https://x.example/manifest) at Mombasa.

- first bag: `HS 0507` declared as *cashew nuts*
- second bag: consignee <unknown> & co

1. weighed
2. sealed"""


def test_the_plain_text_has_the_words_and_none_of_the_syntax():
    text = render.to_text(MARKDOWN)

    assert text == (
        "Port report Found forty tusks hidden in a timber container at Mombasa. "
        "first bag: HS 0507 declared as cashew nuts second bag: consignee <unknown> & co weighed sealed"
    )
    for syntax in ("**", "##", "](", "https://x.example", "`", "*cashew", "- first", "1."):
        assert syntax not in text


def test_code_blocks_quotes_images_and_line_breaks_keep_their_words_apart():
    body = "> quoted words\n\n![a photo of scales](https://x/p.png)\n\n```\nlisted\ncode\n```\nlast\nline"

    assert render.to_text(body) == "quoted words a photo of scales listed code last line"


def test_the_snippet_highlights_the_words_in_the_plain_text_and_escapes_the_rest():
    html = search.snippet(MARKDOWN, "tusks consignee")

    assert "Found forty <mark>tusks</mark> hidden in a timber container at Mombasa." in html
    assert "<mark>consignee</mark> &lt;unknown&gt; &amp; co" in html
    assert "**" not in html and "https://x.example" not in html and "`" not in html


def test_markup_typed_in_a_message_or_a_query_stays_text():
    html = search.snippet("A <b>bold</b> claim about **ivory** and <script>alert(1)</script>", "b ivory")

    assert "<mark>ivory</mark>" in html
    assert "&lt;<mark>b</mark>&gt;bold&lt;/<mark>b</mark>&gt;" in html
    assert "<script>" not in html and "<b>" not in html


def test_the_results_page_and_the_api_show_plain_text(cast):
    message = post(cast.member, subject="Tusks in timber", body=MARKDOWN)

    content = page(cast.focal_point, q="tusks")
    [result] = api(cast.focal_point, q="tusks")["results"]

    assert "Found forty <mark>tusks</mark> hidden in a timber container at Mombasa." in content
    assert "**forty" not in content and "[timber container]" not in content
    assert result["id"] == message.pk
    assert result["snippet"].startswith("Port report Found forty tusks hidden in a timber container at Mombasa.")
    assert "**" not in result["snippet"] and "`" not in result["snippet"]
