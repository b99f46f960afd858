#!/usr/bin/env bash
# Installs the scanning engines the tests run for real: ClamAV's clamd (+ clamdscan), SpamAssassin's spamd (+ spamc)
# and rspamd (its tests run it offline with a private configuration: RspamdDaemon).
# Idempotent and quick when they are there already (no apt-get at all then). The tests write their own clamd.conf and
# signature database (EICAR) and start private daemons on free loopback ports: nothing here configures or starts a
# system service, and no signature download is needed. Debian/Ubuntu (apt) only.
set -euo pipefail

needed=()
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || needed+=(clamav-daemon)
command -v clamdscan >/dev/null 2>&1 || needed+=(clamdscan)
command -v spamd >/dev/null 2>&1 || [ -x /usr/sbin/spamd ] || needed+=(spamassassin spamd)
command -v spamc >/dev/null 2>&1 || needed+=(spamc)
command -v rspamd >/dev/null 2>&1 || [ -x /usr/bin/rspamd ] || needed+=(rspamd)

if [ ${#needed[@]} -eq 0 ]; then
    echo "install-engines: clamd, clamdscan, spamd, spamc and rspamd already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-engines: need root to install ${needed[*]}" >&2
    exit 1
fi

echo "install-engines: installing ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: no freshclam service, no mail stack; the packages' own services are not needed (the tests
# run their own daemons), and in containers policy-rc.d usually keeps them from starting anyway.
apt-get install -y -qq --no-install-recommends "${needed[@]}"
