#!/usr/bin/env bash
# PDFs and browser tests use Debian's Chromium (Playwright cannot download browsers here), a CJK font
# for Chinese text (fonts-noto-cjk) and poppler-utils (pdftotext/pdffonts/pdftoppm check printed PDFs).
# With --tests (make test) also LibreOffice Calc: the tests open and save workbooks in it, as offices do.
# Install what is missing when running as root; otherwise say loudly what is skipped.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v pdffonts >/dev/null \
  || need+=(poppler-utils)
skipped=()
[ ${#need[@]} -gt 0 ] && skipped+=("PDFs cannot be printed and browser tests will be SKIPPED")
if [ "${1:-}" = --tests ] && ! command -v soffice >/dev/null; then
  need+=(libreoffice-calc-nogui)
  skipped+=("the LibreOffice tests will be SKIPPED")
fi
[ ${#need[@]} -eq 0 ] && exit 0
why=$(IFS=";"; echo "${skipped[*]}" | sed 's/;/; /g')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages for PDFs and tests: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "WARNING: apt-get install ${need[*]} failed: $why" >&2
else
  echo "WARNING: not root, cannot install ${need[*]}: $why" >&2
fi
exit 0
