#!/usr/bin/env bash
# Browser tests use Debian's Chromium (Playwright cannot download browsers here) and a CJK font
# for Chinese screenshots. Install them when running as root; otherwise say loudly what is skipped.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages for the browser tests: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "WARNING: apt-get install ${need[*]} failed: browser tests will be SKIPPED" >&2
else
  echo "WARNING: not root, cannot install ${need[*]}: browser tests will be SKIPPED" >&2
fi
exit 0
