# Builds a minimal WordprocessingML (.docx) from a plain-text plan: the header
# block (everything before the "KẾ HOẠCH" heading) as a two-column table, as
# plans are laid out, and every other line as a paragraph.
import sys, zipfile
from xml.sax.saxutils import escape
src, dst = sys.argv[1], sys.argv[2]
lines = [l.strip() for l in open(src, encoding="utf-8").read().splitlines()]
import unicodedata
nfc = [unicodedata.normalize("NFC", l) for l in lines]
head = next(i for i, l in enumerate(nfc) if l.startswith(unicodedata.normalize("NFC", "KẾ HOẠCH")))
motto = next(i for i, l in enumerate(nfc[:head]) if (l.startswith(unicodedata.normalize("NFC", "CỘNG HO")) or l.upper().startswith("CỘNG")))
def p(text): return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
def cell(ls): return "<w:tc><w:tcPr><w:tcW w:w=\"4500\" w:type=\"dxa\"/></w:tcPr>" + "".join(p(l) for l in ls if l) + "</w:tc>"
left = [l for l in lines[:motto] if l]
right = [l for l in lines[motto:head] if l]
table = "<w:tbl><w:tblPr><w:tblW w:w=\"9000\" w:type=\"dxa\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"4500\"/><w:gridCol w:w=\"4500\"/></w:tblGrid><w:tr>" + cell(left) + cell(right) + "</w:tr></w:tbl>"
body = table + "".join(p(l) for l in lines[head:] if l)
doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>'
types = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
rels = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in [("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", doc)]:
        info = zipfile.ZipInfo(name, date_time=(2026, 12, 3, 0, 0, 0)); info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
