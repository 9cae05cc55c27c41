"""Reading a rendered form back as a browser would post it (for stale-page tests)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select = self.textarea = None
        self.text = ""

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.in_form, self.data = True, {}
            self.forms.append(self.data)
        if not self.in_form or "name" not in attrs and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs["name"], attrs.get("value") or "on")
            else:
                self._add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select, self.multiple, self.first = attrs["name"], "multiple" in attrs, None
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select:
            if self.first is None:
                self.first = attrs.get("value") or ""
            if "selected" in attrs:
                self._add(self.select, attrs.get("value") or "")
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select" and self.select:
            if not self.multiple and not self.data[self.select] and self.first is not None:
                self._add(self.select, self.first)  # a browser sends the first option
            self.select = None
        elif tag == "textarea" and self.textarea:
            text = self.text[1:] if self.text.startswith("\n") else self.text
            self._add(self.textarea, text.replace("\n", "\r\n"))  # as browsers send it
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def posted_form(html: str) -> dict:
    """The page's edit form (the POST form with the most fields), as its unchanged submission
    would post it."""
    reader = _FormReader()
    reader.feed(html)
    data = max(reader.forms, key=len)
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in data.items()
        if name != "csrfmiddlewaretoken"
    }
