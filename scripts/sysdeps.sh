#!/usr/bin/env bash
# Installs the operating-system packages the project needs, when it can (root or sudo):
# Tesseract OCR with Korean data, the Nanum Korean fonts, poppler-utils (PDF text in tests),
# and with WITH_BROWSER=1 Debian's Chromium for the back-office browser test. Otherwise prints the command.
set -u
need=()
command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx kor || need+=(tesseract-ocr tesseract-ocr-kor)
fc-list 2>/dev/null | grep -qi nanum || need+=(fonts-nanum)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The back-office browser test drives Debian's Chromium; CI sets WITH_BROWSER=1 (make test skips it without a browser).
if [ "${WITH_BROWSER:-0}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
fi
[ ${#need[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "시스템 패키지가 필요합니다. 다음 명령을 실행하세요: sudo apt-get update && sudo $cmd"
  exit 0
fi
echo "설치: ${need[*]}"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo $cmd -qq; } >/tmp/sysdeps.log 2>&1; then
  echo "시스템 패키지를 설치하지 못했습니다 (/tmp/sysdeps.log). 직접 실행하세요: sudo apt-get update && sudo $cmd"
fi
exit 0
