"""Reading an uploaded e-learning package (a zip) without trusting a byte of it.

``inspect_package(zip_path)`` checks every member before anything is extracted and tells
what the package is: SCORM 1.2, SCORM 2004 (with its edition), xAPI (``tincan.xml``) or
AICC, with its title and launch file. ``extract_package(...)`` then copies the members into
Django storage, counting the bytes it really inflates, so a zip whose headers lie about
sizes is stopped at the cap instead of filling the disk.

Refused (``PackageRejected`` with a reason an integrator can act on): not a zip, too many
members, a member path that is absolute, climbs with ``..``, uses a drive letter or a
backslash, names a device or holds a NUL; symbolic links; duplicate names; a declared or
real expansion past ``LYCEUM_PACKAGE_MAX_BYTES``; a member whose compression ratio marks it
as a bomb; no recognisable manifest; a manifest that is not well-formed or that uses XML
entities (``defusedxml``); a launch file that is not in the package.
"""

from __future__ import annotations

import configparser
import csv
import io
import posixpath
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage

# Compression above this ratio on a member bigger than RATIO_FLOOR is a bomb, not a course:
# text compresses ~10:1, media hardly at all; deflate's own ceiling is ~1032:1.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
CHUNK = 1024 * 1024


class PackageType(StrEnum):
    SCORM = "SCORM"
    XAPI = "XAPI"
    AICC = "AICC"


class PackageRejected(Exception):
    """The package cannot be used; ``reason`` says why in words an integrator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PackageInfo:
    """What a package is: its standard and version, its title and the file to launch."""

    type: PackageType
    version: str  # "1.2", "2004 3rd Edition", "1.0" (xAPI), "AICC"
    title: str
    launch: str  # a member path inside the package, possibly with a query string
    root: str  # "" or the single top-level folder the package was zipped in
    member_count: int
    total_bytes: int


def _limits() -> tuple[int, int]:
    return settings.LYCEUM_PACKAGE_MAX_BYTES, settings.LYCEUM_PACKAGE_MAX_MEMBERS


def _checked_name(info: zipfile.ZipInfo) -> str:
    """The member's path if it stays inside the package, else PackageRejected."""
    name = info.filename
    if "\x00" in name or "\\" in name:
        raise PackageRejected(f"member {name!r} has a NUL or a backslash in its path")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageRejected(f"member {name!r} has an absolute path")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageRejected(f"member {name!r} climbs out of the package with '..'")
    # Unix zips keep the file type in the high bits; many tools leave it out (type 0).
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise PackageRejected(f"member {name!r} is a symbolic link")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageRejected(f"member {name!r} is not a regular file")
    return "/".join(parts) + ("/" if name.endswith("/") else "")


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Every file member by its normalized path, after the per-member and total checks."""
    max_bytes, max_members = _limits()
    infos = archive.infolist()
    if len(infos) > max_members:
        raise PackageRejected(f"the package has {len(infos)} members; at most {max_members}")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = _checked_name(info)
        if name.endswith("/") or not name:
            continue
        if name.casefold() in {seen.casefold() for seen in members}:
            raise PackageRejected(f"member {name!r} appears more than once")
        if info.flag_bits & 0x1:
            raise PackageRejected(f"member {name!r} is encrypted")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageRejected(
                f"member {name!r} expands {info.file_size // max(info.compress_size, 1)}-fold: "
                "a zip bomb, not a package"
            )
        total += info.file_size
        if total > max_bytes:
            raise PackageRejected(f"the package expands past {max_bytes} bytes")
        members[name] = info
    if not members:
        raise PackageRejected("the package is empty")
    return members


def _root(members: dict[str, zipfile.ZipInfo]) -> str:
    """The folder the manifests sit in: the top level, or the one folder everything is in."""
    tops = {name.split("/", 1)[0] for name in members}
    if len(tops) == 1 and all("/" in name for name in members):
        return tops.pop() + "/"
    return ""


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A manifest's bytes, refusing one that inflates past MAX_MANIFEST_BYTES."""
    with archive.open(info) as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise PackageRejected(f"{info.filename} is larger than {MAX_MANIFEST_BYTES} bytes")
    return data


def _parse_xml(data: bytes, name: str) -> Element:
    try:
        return SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise PackageRejected(f"{name} uses XML entities or a DTD, which are not allowed") from exc
    except SafeElementTree.ParseError as exc:
        raise PackageRejected(f"{name} is not well-formed XML: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Element | None, name: str) -> Element | None:
    return None if element is None else next(_children(element, name), None)


def _text(element: Element | None) -> str:
    return "" if element is None or element.text is None else element.text.strip()


def _attribute(element: Element, name: str) -> str:
    """An attribute by local name, whatever namespace prefix the authoring tool used."""
    for key, value in element.attrib.items():
        if _local(key).casefold() == name.casefold():
            return value.strip()
    return ""


def _scorm_version(manifest: Element) -> str:
    """ "1.2" or "2004 <edition>" from the manifest's schemaversion and namespaces."""
    schema_version = _text(_child(_child(manifest, "metadata"), "schemaversion")).casefold()
    namespaces = " ".join(
        [manifest.tag, *manifest.attrib.keys(), *manifest.attrib.values()]
    ).casefold()
    for marker, edition in (
        ("4th edition", "2004 4th Edition"),
        ("3rd edition", "2004 3rd Edition"),
        ("2nd edition", "2004 2nd Edition"),
        ("cam 1.3", "2004 2nd Edition"),
    ):
        if marker in schema_version:
            return edition
    if schema_version.startswith("1.2"):
        return "1.2"
    if "adlcp_v1p3" in namespaces or "imscp_v1p1" in namespaces and "adlseq" in namespaces:
        return "2004 3rd Edition"
    if "adlcp_rootv1p2" in namespaces:
        return "1.2"
    raise PackageRejected("imsmanifest.xml does not say which SCORM version it follows")


def _scorm(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, str, str]:
    """(version, title, launch href) of a SCORM manifest: the default organization's first
    item that points at a resource, or else the first SCO resource."""
    manifest = _parse_xml(_read_small(archive, info), "imsmanifest.xml")
    if _local(manifest.tag) != "manifest":
        raise PackageRejected("imsmanifest.xml has no <manifest> root element")
    version = _scorm_version(manifest)
    resources = {
        _attribute(resource, "identifier"): resource
        for resource in _children(_child(manifest, "resources") or Element("resources"), "resource")
    }
    organizations = _child(manifest, "organizations")
    organization = None
    if organizations is not None:
        default = _attribute(organizations, "default")
        candidates = list(_children(organizations, "organization"))
        organization = next(
            (org for org in candidates if _attribute(org, "identifier") == default),
            candidates[0] if candidates else None,
        )
    title = _text(_child(organization, "title")) if organization is not None else ""
    launch = ""
    if organization is not None:
        for item in organization.iter():
            if _local(item.tag) != "item":
                continue
            resource = resources.get(_attribute(item, "identifierref"))
            if resource is not None and _attribute(resource, "href"):
                launch = _attribute(resource, "href") + _attribute(item, "parameters")
                break
    if not launch:
        launch = next(
            (
                _attribute(resource, "href")
                for resource in resources.values()
                if _attribute(resource, "scormtype").casefold() == "sco"
                and _attribute(resource, "href")
            ),
            "",
        )
    if not launch:
        raise PackageRejected("imsmanifest.xml names no resource to launch")
    return version, title, launch


def _xapi(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, str, str]:
    """(version, title, launch) from tincan.xml: its first activity that has a launch."""
    tincan = _parse_xml(_read_small(archive, info), "tincan.xml")
    activities = _child(tincan, "activities")
    for activity in _children(activities, "activity") if activities is not None else ():
        launch = _text(_child(activity, "launch"))
        if launch:
            return "1.0", _text(_child(activity, "name")), launch
    raise PackageRejected("tincan.xml names no activity with a <launch> file")


def _aicc(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], root: str
) -> tuple[str, str, str] | None:
    """(version, title, launch) from the AICC course files (.crs and .au), or None."""
    by_suffix = {
        suffix: next((name for name in members if name.casefold().endswith(suffix)), None)
        for suffix in (".crs", ".au")
    }
    if not by_suffix[".crs"] or not by_suffix[".au"]:
        return None
    crs_text = _read_small(archive, members[by_suffix[".crs"]]).decode("utf-8", "replace")
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        # The .crs file starts with [Course]; its [Course_Description] is free text.
        parser.read_string(crs_text.split("[Course_Description]", 1)[0])
    except configparser.Error as exc:
        raise PackageRejected(f"{by_suffix['.crs']} is not an AICC course file: {exc}") from exc
    title = parser.get("Course", "Course_Title", fallback="").strip().strip('"')
    au_text = _read_small(archive, members[by_suffix[".au"]]).decode("utf-8", "replace")
    rows = list(csv.DictReader(io.StringIO(au_text), skipinitialspace=True))
    launch = ""
    for row in rows:
        fields = {str(key).strip().casefold(): (value or "").strip() for key, value in row.items()}
        if fields.get("file_name"):
            launch = fields["file_name"]
            break
    if not launch:
        raise PackageRejected(f"{by_suffix['.au']} names no File_Name to launch")
    return "AICC", title, launch


def _launch_member(launch: str, root: str, members: dict[str, zipfile.ZipInfo]) -> str:
    """The launch path relative to the package, checked to be one of its files."""
    if "://" in launch:
        raise PackageRejected(f"the launch file {launch!r} is outside the package")
    path = launch.split("?", 1)[0].split("#", 1)[0]
    normalized = posixpath.normpath(root + path)
    if normalized.startswith("../") or normalized.startswith("/") or normalized not in members:
        raise PackageRejected(f"the launch file {path!r} is not in the package")
    return launch


def inspect_package(source: str | io.IOBase) -> PackageInfo:
    """What the zip at ``source`` is, after every safety check; PackageRejected otherwise."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageRejected("the file is not a zip archive") from exc
    with archive:
        members = _members(archive)
        root = _root(members)
        manifest = members.get(root + "imsmanifest.xml")
        tincan = members.get(root + "tincan.xml")
        if manifest is not None:
            kind = PackageType.SCORM
            version, title, launch = _scorm(archive, manifest)
        elif tincan is not None:
            kind = PackageType.XAPI
            version, title, launch = _xapi(archive, tincan)
        elif (found := _aicc(archive, members, root)) is not None:
            kind = PackageType.AICC
            version, title, launch = found
        else:
            raise PackageRejected(
                "no imsmanifest.xml (SCORM), tincan.xml (xAPI) or AICC course files found"
            )
        return PackageInfo(
            type=kind,
            version=version,
            title=title[:255],
            launch=_launch_member(launch, root, members),
            root=root,
            member_count=len(members),
            total_bytes=sum(info.file_size for info in members.values()),
        )


class _CappedReader(io.RawIOBase):
    """A member's inflated stream that stops with PackageRejected past ``budget`` bytes,
    whatever the zip's headers claimed."""

    def __init__(self, stream: io.IOBase, budget: list[int], name: str) -> None:
        self._stream = stream
        self._budget = budget
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self._budget[0] -= len(data)
        if self._budget[0] < 0:
            raise PackageRejected(f"member {self._name!r} expands past the package size limit")
        buffer[: len(data)] = data
        return len(data)


def extract_package(
    source: str | io.IOBase, info: PackageInfo, *, storage: Storage, prefix: str
) -> list[str]:
    """Copy every member into ``storage`` under ``prefix`` (the package root stripped),
    streaming with a real byte budget; the stored names, in zip order."""
    max_bytes, _ = _limits()
    budget = [max_bytes]
    stored: list[str] = []
    target = ""
    try:
        with zipfile.ZipFile(source) as archive:
            for name, member in _members(archive).items():
                relative = name[len(info.root) :] if name.startswith(info.root) else name
                target = f"{prefix}/{relative}"
                try:
                    with archive.open(member) as stream:
                        reader = io.BufferedReader(_CappedReader(stream, budget, name), CHUNK)
                        stored.append(storage.save(target, File(reader, relative)))
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    raise PackageRejected(f"member {name!r} is corrupt: {exc}") from exc
    except BaseException:
        # Half a package is no package: what was stored before the failure goes.
        for name in [*stored, target]:
            if name and storage.exists(name):
                storage.delete(name)
        raise
    return stored
