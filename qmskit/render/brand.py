"""A consultancy's brand profile (``brand.yaml``): firm name, logo, colours, contact, footer, report numbers,
signatory. Loaded and validated once, before any kernel starts; reports then use the :class:`Brand`.

    firm: Northwind Quality Partners        # or {en: ..., zh: ...}
    short: NQP                              # {firm} in report numbers (default: the firm's initials)
    logo: logo.svg                          # PNG or SVG beside the brand file, at most 200 KB
    colors: {accent: "#1f4e79"}             # headings, table heads; contrast ≥ 4.5:1 against white
    contact: "12 Harbour Road · +86 574 0000 0000 · office@northwind.example"
    footer: "Northwind Quality Partners Ltd. — registered in Ningbo"
    report_number: "{firm}-{year}-{seq:03d}"  # fields: firm, year, seq, office, date
    signatory: {name: "Dr. Li Wen", title: "Lead assessor"}

Every text field may be a string or a mapping ``{en: ..., zh: ...}``. A bad file gets one line naming the
file and the key (:class:`~qmskit.errors.BrandError`). The logo is embedded as a ``data:`` URI inside an
``<img>``: a browser never runs scripts of an SVG shown as an image, and nothing is fetched.
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from qmskit.config import ENV_BRAND
from qmskit.errors import BrandError
from qmskit.i18n.catalog import msg
from qmskit.i18n.numbers import fmt_size

ENV = ENV_BRAND
MAX_FILE = 64 * 1024
MAX_LOGO = 200 * 1024
MAX_TEXT = 500
MAX_PATTERN_WIDTH = 20  # a report number field's width or precision ("{seq:03d}")
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: accent headings on white, white text on accent
DEFAULT_NUMBER = "{firm}-{year}-{seq:03d}"
NUMBER_FIELDS = ("firm", "year", "seq", "office", "date")
KEYS = ("firm", "short", "logo", "colors", "contact", "footer", "report_number", "signatory", "confidentiality")
COLOR_KEYS = ("accent",)
SIGNATORY_KEYS = ("name", "title")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Brand:
    """A validated brand; texts are ``{lang: text}`` (English is the fallback)."""
    firm: dict = field(default_factory=dict)
    short: str = ""
    logo_uri: str = ""
    accent: str = ""
    contact: dict = field(default_factory=dict)
    footer: dict = field(default_factory=dict)
    report_number: str = DEFAULT_NUMBER
    signatory_name: dict = field(default_factory=dict)
    signatory_title: dict = field(default_factory=dict)
    confidentiality: dict = field(default_factory=dict)
    source: str | None = None

    @property
    def neutral(self) -> bool:
        """No brand file: the report keeps its plain look (no firm, no logo, no sign-off names)."""
        return self.source is None

    def text(self, key: str, lang: str) -> str:
        value = getattr(self, key)
        return value.get(lang) or value.get("en") or next(iter(value.values()), "") if value else ""

    def firm_code(self) -> str:
        if self.short:
            return self.short
        words = re.findall(r"[A-Za-z0-9]+", self.firm.get("en") or "")
        return "".join(w[0] for w in words).upper() or "QMS"

    def number(self, *, office: str, date: str | None, seq: int, slug: str = "") -> str:
        """The report number from the pattern (``{firm}-{year}-{seq:03d}``)."""
        year = (date or "")[:4] if re.match(r"\d{4}", str(date or "")) else str(dt.date.today().year)
        return self.report_number.format(firm=self.firm_code(), year=year, seq=int(seq), office=slug or office,
                                         date=str(date or dt.date.today().isoformat()))


NEUTRAL = Brand()


def contrast_ratio(hex_colour: str, other: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    def luminance(h: str) -> float:
        chans = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(hex_colour), luminance(other)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def resolve_path(brand: str | os.PathLike | None) -> Path | None:
    """The brand file to use: the argument, else ``$QMSKIT_BRAND``, else none (neutral look)."""
    value = brand if brand not in (None, "") else os.environ.get(ENV) or None
    return None if value is None else Path(value).expanduser()


def load_brand(brand: str | os.PathLike | Brand | None = None) -> Brand:
    """Read and validate a brand file (``None``: ``$QMSKIT_BRAND`` or the neutral look)."""
    if isinstance(brand, Brand):
        return brand
    path = resolve_path(brand)
    if path is None:
        return NEUTRAL
    data = _read_yaml(path)
    err = lambda key, words: BrandError(words, path=path, where=key)  # noqa: E731
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise err(str(unknown[0]), msg("brand.error.unknown_key", allowed=", ".join(KEYS)))
    if "firm" not in data:
        raise err("firm", msg("brand.error.no_firm"))
    firm = _texts(data, "firm", err)
    short = _short(data.get("short"), err)
    colours = data.get("colors") or {}
    if not isinstance(colours, dict):
        raise err("colors", msg("brand.error.colors_mapping"))
    for key in colours:
        if key not in COLOR_KEYS:
            raise err(f"colors.{key}", msg("brand.error.unknown_colour", allowed=", ".join(COLOR_KEYS)))
    accent = _colour(colours.get("accent"), "colors.accent", err) if colours.get("accent") else ""
    pattern = data.get("report_number", DEFAULT_NUMBER)
    _check_pattern(pattern, err)
    sig = data.get("signatory") or {}
    if not isinstance(sig, dict):
        raise err("signatory", msg("brand.error.signatory_mapping"))
    for key in sig:
        if key not in SIGNATORY_KEYS:
            raise err(f"signatory.{key}", msg("brand.error.unknown_key", allowed=", ".join(SIGNATORY_KEYS)))
    return Brand(firm=firm, short=short, logo_uri=_logo(data.get("logo"), path, err), accent=accent,
                 contact=_texts(data, "contact", err), footer=_texts(data, "footer", err),
                 report_number=pattern, signatory_name=_texts(sig, "name", err, prefix="signatory."),
                 signatory_title=_texts(sig, "title", err, prefix="signatory."),
                 confidentiality=_texts(data, "confidentiality", err), source=str(path))


def _read_yaml(path: Path) -> dict:
    from qmskit.io.yamlio import parse_yaml  # the bounded parser: nesting, aliases and entries within the limits

    try:
        if not path.is_file():
            raise BrandError(msg("brand.error.not_found") if not path.exists() else msg("limits.not_regular_file"), path=path)
        if path.stat().st_size > MAX_FILE:
            raise BrandError(msg("brand.error.too_large", limit=fmt_size(MAX_FILE)), path=path)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BrandError(msg("brand.error.not_utf8"), path=path) from None
    except OSError as exc:
        from qmskit.io.limits import cannot_read
        raise BrandError(cannot_read(exc), path=path) from None
    # (yaml.safe_load recursed past Python's limit on 64 KB of "[": an internal error, no file named)
    data, _lines = parse_yaml(text, path, BrandError)
    if not isinstance(data, dict):
        raise BrandError(msg("brand.error.not_mapping"), path=path)
    return data


def _texts(data: dict, key: str, err, prefix: str = "") -> dict:
    value = data.get(key)
    if value in (None, ""):
        return {}
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = {"en": str(value)}
    if not isinstance(value, dict):
        raise err(prefix + key, msg("brand.error.texts"))
    out = {}
    for lang, text in value.items():
        if lang not in ("en", "zh"):
            raise err(f"{prefix}{key}.{lang}", msg("brand.error.unknown_language"))
        if not isinstance(text, (str, int, float)) or isinstance(text, bool):
            raise err(f"{prefix}{key}.{lang}", msg("brand.error.expected_text"))
        text = " ".join(str(text).split())
        if len(text) > MAX_TEXT:
            raise err(f"{prefix}{key}.{lang}", msg("brand.error.text_too_long", limit=MAX_TEXT))
        out[lang] = text
    return out


def _short(value, err) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", text):
        raise err("short", msg("brand.error.short", text=text[:40]))
    return text


def _colour(value, key: str, err) -> str:
    text = str(value).strip()
    if not _HEX.fullmatch(text):
        raise err(key, msg("brand.error.not_colour", text=text[:20]))
    ratio = contrast_ratio(text)
    if ratio < MIN_CONTRAST:
        raise err(key, msg("brand.error.contrast", text=text, ratio=ratio, minimum=MIN_CONTRAST))
    return text.lower()


def _check_pattern(pattern, err) -> None:
    if not isinstance(pattern, str) or not pattern.strip() or len(pattern) > 80:
        raise err("report_number", msg("brand.error.pattern_expected"))
    try:
        fields = [(f, spec or "") for _, f, spec, _ in string.Formatter().parse(pattern) if f is not None]
    except ValueError as exc:  # Python's words (English)
        raise err("report_number", msg("brand.error.bad_pattern", problem=str(exc))) from None
    names = [f for f, _ in fields]
    for name, spec in fields:
        # "{seq:0999999999d}" asked for a gigabyte per report; "{seq:{office}}" let an office's name be the format
        if "{" in spec or any(int(n) > MAX_PATTERN_WIDTH for n in re.findall(r"\d+", spec)):
            raise err("report_number", msg("brand.error.pattern_width", field="{" + name + ":" + spec + "}",
                                           limit=MAX_PATTERN_WIDTH))
    for name in names:
        if name not in NUMBER_FIELDS:
            raise err("report_number", msg("brand.error.unknown_field", name="{" + name + "}",
                                           allowed=", ".join("{" + f + "}" for f in NUMBER_FIELDS)))
    try:
        pattern.format(firm="F", year="2026", seq=1, office="o", date="2026-01-01")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise err("report_number", msg("brand.error.bad_pattern", problem=str(exc))) from None


def _logo(value, brand_path: Path, err) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise err("logo", msg("brand.error.logo_path"))
    logo = Path(value).expanduser()
    if not logo.is_absolute():
        logo = brand_path.parent / logo  # relative to the brand file, not the working folder
    suffix = logo.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise err("logo", msg("brand.error.logo_type", name=logo.name))
    if not logo.is_file():
        raise err("logo", msg("errors.file", path=str(logo),
                              detail=msg("limits.not_found") if not logo.exists() else msg("limits.not_regular_file")))
    size = logo.stat().st_size
    if size > MAX_LOGO:
        raise err("logo", msg("brand.error.logo_size", name=logo.name, size=fmt_size(size),
                                         limit=fmt_size(MAX_LOGO)))
    data = logo.read_bytes()
    if suffix == ".png":
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise err("logo", msg("brand.error.not_png", name=logo.name))
        mime = "image/png"
    else:
        head = data[:4096].decode("utf-8", "replace").lower()
        if "<svg" not in head:
            raise err("logo", msg("brand.error.not_svg", name=logo.name))
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

