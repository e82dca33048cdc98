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
calc=()
# (soffice alone may be Writer only: Calc is what the tests open workbooks in)
if [ "${1:-}" = --tests ] && { ! command -v soffice >/dev/null || { command -v dpkg >/dev/null \
     && ! dpkg -s libreoffice-calc >/dev/null 2>&1 && ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1; }; }; then
  calc=(libreoffice-calc-nogui)
fi
[ ${#need[@]} -eq 0 ] && [ ${#calc[@]} -eq 0 ] && exit 0
updated=
install() {  # packages, then what is skipped without them; each group on its own, so one failing spares the other
  local why=$1; shift
  [ $# -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages for PDFs and tests: $*"
    { [ -n "$updated" ] || { apt-get update -qq && updated=1; }; } \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || echo "WARNING: apt-get install $* failed: $why" >&2
  else
    echo "WARNING: not root, cannot install $*: $why" >&2
  fi
}
install "PDFs cannot be printed and browser tests will be SKIPPED" "${need[@]}"
install "the LibreOffice tests will be SKIPPED" "${calc[@]}"
exit 0
