"""The copy writers receive: the same text with authors, comments, tracked changes and properties removed."""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from service.screening.extract import REL, XML_PARSER, W
from service.screening.safety import UnsafeDocument

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
)
# Parts that exist only to name people or carry review history; dropped with their relationships.
_DROPPED_NAMES = frozenset(
    {"comments.xml", "commentsExtended.xml", "commentsIds.xml", "commentsExtensible.xml", "people.xml"}
)
# Revision elements whose content is the document as accepted: keep the children, lose the wrapper.
_UNWRAP = frozenset({"ins", "moveTo"})
# Revision elements that hold rejected content or the old formatting: remove entirely.
_REMOVE = frozenset(
    {
        "del", "moveFrom", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange",
        "trPrChange", "tcPrChange", "tblGridChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
        "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
        "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
        "commentRangeStart", "commentRangeEnd", "commentReference",
    }
)  # fmt: skip
_SETTINGS_REMOVE = frozenset({"rsids", "attachedTemplate", "docVars", "trackRevisions"})
_PERSONAL_ATTRIBUTES = frozenset({"author", "initials", "date", "dateUtc"})


def _w(local: str) -> str:
    return f"{{{W}}}{local}"


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _accept_revisions(root: etree._Element) -> None:
    for element in list(root.iter(*(_w(name) for name in _REMOVE))):
        parent = element.getparent()
        if parent is None:
            continue
        if element.tag == _w("commentReference") and parent.tag == _w("r"):
            grand = parent.getparent()
            if grand is not None:
                grand.remove(parent)  # the run exists only to hold the comment mark
                continue
        parent.remove(element)
    for element in list(root.iter(*(_w(name) for name in _UNWRAP))):
        parent = element.getparent()
        if parent is None:
            continue
        index = parent.index(element)
        for offset, child in enumerate(list(element)):
            parent.insert(index + offset, child)
        parent.remove(element)
    # w:rsid elements (in styles) and rsid attributes tie edits to editing sessions of one machine.
    for element in list(root.iter(_w("rsid"))):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    for element in root.iter():
        for attribute in list(element.attrib):
            local = etree.QName(attribute).localname
            personal = attribute.startswith(f"{{{W}}}") and local in _PERSONAL_ATTRIBUTES
            if local.startswith("rsid") or personal:
                del element.attrib[attribute]


def _clean_settings(root: etree._Element) -> None:
    for element in list(root):
        if etree.QName(element).localname in _SETTINGS_REMOVE:
            root.remove(element)


def _drop_relationships(root: etree._Element, rels_name: str, dropped: set[str]) -> None:
    source_folder = posixpath.dirname(posixpath.dirname(rels_name))
    for rel in list(root.iter(f"{{{REL}}}Relationship")):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(source_folder, target))
        )
        if resolved in dropped:
            root.remove(rel)


def _dropped(name: str) -> bool:
    folder, base = posixpath.split(name)
    if posixpath.basename(folder) == "_rels" and base.endswith(".rels"):
        base = base.removesuffix(".rels")  # the relationships of a dropped part go with it
    return base in _DROPPED_NAMES or name.startswith("customXml/")


def _strip_docx(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        dropped = {name for name in names if _dropped(name)}
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for name in names:
                if name in dropped or name.endswith("/"):
                    continue
                content = source.read(name)
                if name == "docProps/core.xml":
                    content = EMPTY_CORE
                elif name == "docProps/app.xml":
                    content = EMPTY_APP
                elif name == "docProps/custom.xml":
                    content = EMPTY_CUSTOM
                elif name == "[Content_Types].xml":
                    root = etree.fromstring(content, XML_PARSER)
                    for override in list(root.iter(f"{{{CT}}}Override")):
                        if (override.get("PartName") or "").lstrip("/") in dropped:
                            root.remove(override)
                    content = _serialise(root)
                elif name.endswith(".rels"):
                    root = etree.fromstring(content, XML_PARSER)
                    _drop_relationships(root, name, dropped)
                    content = _serialise(root)
                elif name.startswith("word/") and name.endswith(".xml"):
                    root = etree.fromstring(content, XML_PARSER)
                    if posixpath.basename(name) == "settings.xml":
                        _clean_settings(root)
                    _accept_revisions(root)
                    content = _serialise(root)
                target.writestr(name, content)
    return out.getvalue()


def _strip_pdf(data: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        # A fresh writer given only the pages: the catalogue's /Metadata stream and the information
        # dictionary are never copied, so no orphaned object keeps them in the file.
        writer = PdfWriter()
        writer.append(reader)
        writer.metadata = None
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo"):
                if key in page:
                    del page[NameObject(key)]
            annotations = page.get("/Annots")
            for reference in annotations.get_object() if annotations is not None else []:
                annotation = reference.get_object()
                # /T is the annotation's author (a comment's "by" line).
                if "/T" in annotation:
                    del annotation[NameObject("/T")]
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def strip_metadata(kind: str, data: bytes) -> bytes:
    """The document with every author-bearing property, comment and revision removed; text kept."""
    if kind == "txt":
        return data
    try:
        if kind == "docx":
            return _strip_docx(data)
        if kind == "pdf":
            return _strip_pdf(data)
    except Exception as exc:
        raise UnsafeDocument(
            "The document could not be cleaned of its properties; please save it again."
        ) from exc
    raise ValueError(f"unknown document kind {kind!r}")
