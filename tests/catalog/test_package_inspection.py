"""Reading e-learning packages: each standard is recognised, every hostile zip refused."""

import io
import stat
import zipfile

import pytest
from django.core.files.storage import InMemoryStorage

from apps.catalog.package_inspection import (
    PackageRejected,
    PackageType,
    extract_package,
    inspect_package,
)

SCORM_12_MANIFEST = """<?xml version="1.0"?>
<manifest identifier="pkg" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>Fire Safety Basics</title>
      <item identifier="i1" identifierref="r1"><title>Start</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="shared/launch.html">
      <file href="shared/launch.html"/>
    </resource>
  </resources>
</manifest>"""

SCORM_2004_MANIFEST = """<?xml version="1.0"?>
<manifest identifier="pkg" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="B">
    <organization identifier="A"><title>Wrong one</title>
      <item identifier="a1" identifierref="ra"/></organization>
    <organization identifier="B"><title>Forklift Operation</title>
      <item identifier="b0"><title>Module</title>
        <item identifier="b1" identifierref="rb" parameters="?chapter=1"/>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="ra" adlcp:scormType="sco" href="a.html"/>
    <resource identifier="rb" adlcp:scormType="sco" href="content/index.html"/>
  </resources>
</manifest>"""

TINCAN = """<?xml version="1.0" encoding="utf-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="http://example.com/course" type="http://adlnet.gov/expapi/activities/course">
      <name>Customer Service</name>
      <launch lang="en-us">story.html</launch>
    </activity>
  </activities>
</tincan>"""

AICC_CRS = """[Course]
Course_Creator=Lyceum
Course_ID=C1
Course_Title=Ladder Safety
Total_AUs=1
[Course_Description]
Climb carefully = always.
"""
AICC_AU = '"System_ID","Command_Line","File_Name","Core_Vendor"\n"A1","","start.htm",""\n'


def _zip(files: dict[str, bytes | str], *, symlinks: tuple[str, ...] = ()) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    buffer.seek(0)
    return buffer


def test_scorm_12_package_is_read_with_its_title_and_launch_file():
    package = _zip({"imsmanifest.xml": SCORM_12_MANIFEST, "shared/launch.html": "<html>"})

    info = inspect_package(package)

    assert (info.type, info.version) == (PackageType.SCORM, "1.2")
    assert (info.title, info.launch, info.root) == ("Fire Safety Basics", "shared/launch.html", "")


def test_scorm_2004_edition_default_organization_and_parameters_are_honoured():
    package = _zip(
        {"imsmanifest.xml": SCORM_2004_MANIFEST, "a.html": "a", "content/index.html": "b"}
    )

    info = inspect_package(package)

    assert (info.type, info.version) == (PackageType.SCORM, "2004 4th Edition")
    assert (info.title, info.launch) == ("Forklift Operation", "content/index.html?chapter=1")


def test_xapi_package_is_read_from_tincan_xml():
    info = inspect_package(_zip({"tincan.xml": TINCAN, "story.html": "<html>"}))

    assert (info.type, info.version, info.title, info.launch) == (
        PackageType.XAPI,
        "1.0",
        "Customer Service",
        "story.html",
    )


def test_aicc_package_is_read_from_its_course_files():
    info = inspect_package(
        _zip({"course.crs": AICC_CRS, "course.au": AICC_AU, "start.htm": "<html>"})
    )

    assert (info.type, info.title, info.launch) == (PackageType.AICC, "Ladder Safety", "start.htm")


def test_package_zipped_inside_one_folder_is_read_from_that_folder():
    package = _zip(
        {"course/imsmanifest.xml": SCORM_12_MANIFEST, "course/shared/launch.html": "<html>"}
    )

    info = inspect_package(package)

    assert (info.root, info.launch) == ("course/", "shared/launch.html")


@pytest.mark.parametrize(
    ("files", "symlinks", "reason"),
    [
        ({"../evil.html": "x", "tincan.xml": TINCAN}, (), "climbs out"),
        ({"a/../../evil.html": "x", "tincan.xml": TINCAN}, (), "climbs out"),
        ({"/etc/cron.d/x": "x", "tincan.xml": TINCAN}, (), "absolute path"),
        ({"C:/x.html": "x", "tincan.xml": TINCAN}, (), "absolute path"),
        ({"a\\..\\b.html": "x", "tincan.xml": TINCAN}, (), "backslash"),
        ({"link": "/etc/passwd", "tincan.xml": TINCAN}, ("link",), "symbolic link"),
        ({"Story.html": "x", "story.html": "y", "tincan.xml": TINCAN}, (), "more than once"),
        ({"index.html": "<html>"}, (), "no imsmanifest.xml"),
        ({"tincan.xml": TINCAN}, (), "not in the package"),
        ({"imsmanifest.xml": "<manifest><unclosed></manifest>"}, (), "not well-formed"),
    ],
)
def test_hostile_or_broken_packages_are_refused_with_a_reason(files, symlinks, reason):
    with pytest.raises(PackageRejected, match=reason):
        inspect_package(_zip(files, symlinks=symlinks))


def test_manifest_with_entities_is_refused_before_expansion():
    billion_laughs = (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><manifest>&b;</manifest>'
    )

    with pytest.raises(PackageRejected, match="DTD"):
        inspect_package(_zip({"imsmanifest.xml": billion_laughs}))


def test_launch_file_outside_the_package_is_refused():
    manifest = SCORM_12_MANIFEST.replace("shared/launch.html", "https://evil.example/x.html")

    with pytest.raises(PackageRejected, match="outside the package"):
        inspect_package(_zip({"imsmanifest.xml": manifest}))


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(PackageRejected, match="not a zip"):
        inspect_package(io.BytesIO(b"%PDF-1.7 definitely not a zip"))


def test_a_zip_bomb_member_is_refused_from_its_ratio():
    bomb = _zip({"tincan.xml": TINCAN, "story.html": "x", "filler.bin": b"\0" * (20 * 1024**2)})

    with pytest.raises(PackageRejected, match="zip bomb"):
        inspect_package(bomb)


def test_declared_expansion_past_the_limit_is_refused(settings):
    settings.LYCEUM_PACKAGE_MAX_BYTES = 1000
    package = _zip({"tincan.xml": TINCAN, "story.html": "x" * 2000})

    with pytest.raises(PackageRejected, match="expands past 1000 bytes"):
        inspect_package(package)


def test_too_many_members_are_refused(settings):
    settings.LYCEUM_PACKAGE_MAX_MEMBERS = 3
    files = {"tincan.xml": TINCAN, "story.html": "x", **{f"f{i}.js": "x" for i in range(3)}}

    with pytest.raises(PackageRejected, match="at most 3"):
        inspect_package(_zip(files))


def _lying_about_size(data: bytes) -> io.BytesIO:
    """A zip whose central directory says one member inflates to 10 bytes when it holds
    ``len(data)``: the headers must not be what the extraction trusts."""
    raw = bytearray(_zip({"tincan.xml": TINCAN, "story.html": data}).getvalue())
    record = raw.find(b"PK\x01\x02")
    while (
        raw[record + 46 : record + 46 + int.from_bytes(raw[record + 28 : record + 30], "little")]
        != b"story.html"
    ):
        record = raw.find(b"PK\x01\x02", record + 4)
    # A central directory record holds the uncompressed size 24 bytes in.
    raw[record + 24 : record + 28] = (10).to_bytes(4, "little")
    return io.BytesIO(bytes(raw))


def test_member_inflating_past_its_declared_size_is_refused_as_corrupt():
    package = _lying_about_size(b"<p>" * 100_000)
    info = inspect_package(package)  # the headers alone look small
    storage = InMemoryStorage()

    with pytest.raises(PackageRejected, match="corrupt"):
        extract_package(package, info, storage=storage, prefix="pkg")


def test_extraction_stores_every_member_under_the_prefix_without_the_root_folder():
    package = _zip(
        {"course/imsmanifest.xml": SCORM_12_MANIFEST, "course/shared/launch.html": "<html>"}
    )
    info = inspect_package(package)
    storage = InMemoryStorage()

    stored = extract_package(package, info, storage=storage, prefix="wpk_1")

    assert stored == ["wpk_1/imsmanifest.xml", "wpk_1/shared/launch.html"]
    assert storage.open("wpk_1/shared/launch.html").read() == b"<html>"


def test_a_failed_extraction_leaves_nothing_stored():
    package = _lying_about_size(b"<p>" * 100_000)
    info = inspect_package(package)
    storage = InMemoryStorage()

    with pytest.raises(PackageRejected):
        extract_package(package, info, storage=storage, prefix="pkg")

    assert storage.listdir("pkg") == ([], [])
