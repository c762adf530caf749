"""The copy writers receive: the same text with authors, comments, tracked changes and properties removed."""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
import zlib

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from service.screening.extract import REL, XML_PARSER, W
from service.screening.picture_metadata import blank, clean_picture
from service.screening.pictures import is_picture_part
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
    # the package thumbnail is a picture of page 1
    return base in _DROPPED_NAMES or name.startswith(("customXml/", "docProps/thumbnail"))


_VECTOR_PICTURES = (".emf", ".wmf", ".emz", ".wmz", ".svg")


def _docx_picture(name: str, content: bytes, withheld: frozenset[str] | None) -> bytes:
    """A picture part as the writer's copy has it: blanked where screening found something in it (all of them when
    `withheld` is None: which one is unknown), otherwise without its metadata."""
    held = withheld is None or name in withheld
    if name.lower().endswith(_VECTOR_PICTURES):
        # a drawing OCR cannot read is an unreadable finding; it reaches here only when the LA confirmed it
        return _white_svg() if held and name.lower().endswith(".svg") else content if not held else blank(content)
    return clean_picture(content, withheld=held)


def _white_svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def _strip_docx(data: bytes, withheld: frozenset[str] | None = frozenset()) -> bytes:
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
                elif is_picture_part(name):
                    content = _docx_picture(name, content, withheld)
                elif name.startswith("word/") and name.endswith(".xml"):
                    root = etree.fromstring(content, XML_PARSER)
                    if posixpath.basename(name) == "settings.xml":
                        _clean_settings(root)
                    _accept_revisions(root)
                    content = _serialise(root)
                target.writestr(name, content)
    return out.getvalue()


def _clean_images(resources: object, blanked: bool, seen: set[int]) -> None:
    """Each image XObject under `resources` (and in forms, recursively): metadata removed, or blanked."""
    from pypdf.generic import DictionaryObject, StreamObject

    resources = resources.get_object() if resources is not None else None  # type: ignore[attr-defined]
    if not isinstance(resources, DictionaryObject) or "/XObject" not in resources:
        return
    xobjects = resources["/XObject"].get_object()
    if not isinstance(xobjects, DictionaryObject):
        return
    for key in list(xobjects.keys()):
        stream = xobjects[key].get_object()
        if not isinstance(stream, StreamObject) or id(stream) in seen:
            continue
        seen.add(id(stream))
        for entry in ("/Metadata", "/PieceInfo"):
            if entry in stream:
                del stream[NameObject(entry)]
        subtype = stream.get("/Subtype")
        if subtype == "/Form":
            _clean_images(stream.get("/Resources"), blanked, seen)
        elif subtype == "/Image":
            _clean_image(stream, blanked)


def _clean_image(stream: object, blanked: bool) -> None:
    from pypdf.generic import ArrayObject, NumberObject

    filters = stream.get("/Filter")  # type: ignore[attr-defined]
    names = list(filters) if isinstance(filters, ArrayObject) else [filters] if filters is not None else []
    if blanked:
        # a white image in the same place: one grey pixel per sample, no other filter
        width, height = int(stream["/Width"]), int(stream["/Height"])  # type: ignore[index]
        for entry in ("/Filter", "/DecodeParms", "/SMask", "/Mask", "/Decode", "/ColorSpace", "/BitsPerComponent"):
            if entry in stream:  # type: ignore[operator]
                del stream[NameObject(entry)]  # type: ignore[attr-defined]
        stream[NameObject("/ColorSpace")] = NameObject("/DeviceGray")  # type: ignore[index]
        stream[NameObject("/BitsPerComponent")] = NumberObject(1)  # type: ignore[index]
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")  # type: ignore[index]
        # the encoded bytes set directly: pypdf re-encodes only streams already Flate-encoded
        stream._data = zlib.compress(b"\xff" * (((width + 7) // 8) * height))  # type: ignore[attr-defined]
        if hasattr(stream, "decoded_self"):
            stream.decoded_self = None
        return
    if names and names[-1] == "/DCTDecode" and len(names) == 1:
        from service.screening.picture_metadata import PictureError, strip_jpeg

        try:
            stream._data = strip_jpeg(stream._data)  # type: ignore[attr-defined]
        except PictureError:
            _clean_image(stream, blanked=True)


def _strip_pdf(data: bytes, blank_pages: frozenset[int] = frozenset()) -> bytes:
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
        seen: set[int] = set()
        for number, page in enumerate(writer.pages, start=1):
            for key in ("/Metadata", "/PieceInfo", "/Thumb"):
                if key in page:
                    del page[NameObject(key)]
            # pictures: blanked on a page where OCR found something, otherwise without their metadata
            _clean_images(page.get("/Resources"), number in blank_pages, seen)
            annotations = page.get("/Annots")
            for reference in annotations.get_object() if annotations is not None else []:
                annotation = reference.get_object()
                # /T is the annotation's author (a comment's "by" line).
                if "/T" in annotation:
                    del annotation[NameObject("/T")]
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def withheld_pictures(findings: list[dict[str, object]] | None) -> tuple[frozenset[str] | None, frozenset[int]]:
    """From a document's stored findings: the DOCX picture parts and the PDF pages whose pictures the writer's copy
    blanks (every OCR finding the LA has not confirmed). None for the parts: a finding named no part, blank all."""
    parts: set[str] = set()
    pages: set[int] = set()
    unknown = False
    for finding in findings or []:
        if finding.get("source") != "ocr" or finding.get("confirmed"):
            continue
        pages.add(int(str(finding["page"])))
        if finding.get("picture"):
            parts.add(str(finding["picture"]))
        else:
            unknown = True
    return (None if unknown else frozenset(parts)), frozenset(pages)


def strip_metadata(kind: str, data: bytes, findings: list[dict[str, object]] | None = None) -> bytes:
    """The document with every author-bearing property, comment and revision removed; text kept. Pictures lose their
    metadata, and those in which screening found anything (`findings`, as stored) are blanked."""
    if kind == "txt":
        return data
    parts, pages = withheld_pictures(findings)
    try:
        if kind == "docx":
            return _strip_docx(data, parts)
        if kind == "pdf":
            return _strip_pdf(data, pages)
    except Exception as exc:
        raise UnsafeDocument(
            "The document could not be cleaned of its properties; please save it again."
        ) from exc
    raise ValueError(f"unknown document kind {kind!r}")
