#!/bin/sh
# Writes a private clamd.conf for the port in the environment and runs clamd in the foreground.
set -eu
: "${CLAMD_PORT:?}"
mkdir -p /etc/clamd-it /tmp/clamd-it
cat >/etc/clamd-it/clamd.conf <<CONF
Foreground yes
DatabaseDirectory /var/lib/clamd-it
TemporaryDirectory /tmp/clamd-it
TCPSocket $CLAMD_PORT
TCPAddr 127.0.0.1
OfficialDatabaseOnly no
Bytecode no
ScanMail yes
ScanArchive yes
StreamMaxLength ${CLAMD_STREAM_MAX:-25M}
MaxScanSize 100M
MaxFileSize 25M
CONF
exec clamd -c /etc/clamd-it/clamd.conf
