"""Tests for reading plan files: encodings, BOMs, line endings and the errors that say what to do."""
from pathlib import Path

import pytest

from index import readers
from index.readers import PlanFileError, PlanText, read_plan_file, read_plan_text
from index.sections import load_plan

PLAN = "一、重点任务\n（一）产业创新\n1. 发展新兴产业\n壮大新兴产业集群。\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_reads_utf8_txt_and_md(tmp_path):
    assert read_plan_text(write(tmp_path, "a.txt", PLAN.encode())) == PLAN
    assert read_plan_text(write(tmp_path, "a.md", PLAN.encode())) == PLAN
    assert read_plan_text(write(tmp_path, "UPPER.TXT", PLAN.encode())) == PLAN


def test_strips_bom_and_keeps_crlf(tmp_path):
    crlf = PLAN.replace("\n", "\r\n")
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + crlf.encode())
    decoded = read_plan_file(path)
    assert decoded == PlanText(crlf, "utf-8")


def test_accepts_gb18030_chinese_and_records_encoding(tmp_path):
    path = write(tmp_path, "gbk.txt", PLAN.encode("gb18030"))
    assert read_plan_file(path) == PlanText(PLAN, "gb18030")
    plan = load_plan(path)
    assert plan.metadata["encoding"] == "gb18030"
    assert [s.id for s in plan] == ["一", "一(一)", "一(一)1"]


def test_rejects_non_utf8_western_text_with_iconv_hint(tmp_path):
    path = write(tmp_path, "latin.txt", "Résumé of the naïve café plan\n".encode("cp1252"))
    with pytest.raises(PlanFileError, match="not UTF-8 text.*iconv -f <enc> -t UTF-8") as err:
        read_plan_text(path)
    assert str(path) in str(err.value)


def test_rejects_utf16_with_exact_iconv_command(tmp_path):
    path = write(tmp_path, "u16.txt", PLAN.encode("utf-16"))
    with pytest.raises(PlanFileError, match="iconv -f UTF-16 -t UTF-8"):
        read_plan_text(path)


@pytest.mark.parametrize("data", [b"PK\x03\x04\x00\x00binary", bytes(range(1, 32)) * 10])
def test_rejects_binary(tmp_path, data):
    with pytest.raises(PlanFileError, match="binary file"):
        read_plan_text(write(tmp_path, "bin.txt", data))


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n\xe3\x80\x80\n"])
def test_rejects_empty_or_whitespace(tmp_path, data):
    with pytest.raises(PlanFileError, match="is empty"):
        read_plan_text(write(tmp_path, "empty.txt", data))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(PlanFileError, match="plan file not found: .*nope.txt"):
        read_plan_text(tmp_path / "nope.txt")
    with pytest.raises(PlanFileError, match="is not a file"):
        read_plan_text(tmp_path)


def test_unsupported_suffix_names_supported_ones(tmp_path):
    path = write(tmp_path, "plan.rtf", b"{\\rtf1}")
    with pytest.raises(PlanFileError, match=r"unsupported file type '\.rtf'.*supported: \.docx, \.md, \.pdf, \.txt"):
        read_plan_text(path)


def test_size_limit(tmp_path):
    path = write(tmp_path, "big.txt", PLAN.encode())
    with pytest.raises(PlanFileError, match="over the 10-byte limit.*max_bytes"):
        read_plan_text(path, max_bytes=10)
    assert read_plan_text(path, max_bytes=1000) == PLAN


def test_readers_are_pluggable_by_suffix(tmp_path, monkeypatch):
    monkeypatch.setitem(readers.READERS, ".fake", lambda path, data: PlanText(data.decode()[::-1], "fake"))
    path = write(tmp_path, "x.fake", PLAN[::-1].encode())
    assert read_plan_file(path) == PlanText(PLAN, "fake")


def test_error_is_a_value_error():
    assert issubclass(PlanFileError, ValueError)
