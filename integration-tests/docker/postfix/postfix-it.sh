#!/bin/sh
# Configures Postfix for the ports in the environment and runs it in the foreground (postfix start-fg).
set -eu
: "${SMTP_PORT:?}" "${LMTP_PORT:?}" "${DOMAINS:?}"
# Debian's package was installed with "No configuration": start from Postfix's compiled-in defaults.
: >/etc/postfix/main.cf
[ -f /etc/postfix/master.cf ] || cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf
postconf -e \
    "compatibility_level = 3.6" \
    "myhostname = mx.upstream.test" \
    "mydestination =" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8" \
    "maillog_file = /dev/stdout" \
    "alias_maps =" \
    "alias_database =" \
    "local_recipient_maps =" \
    "virtual_mailbox_domains = $DOMAINS" \
    "virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT" \
    "lmtp_host_lookup = native" \
    "smtp_host_lookup = native" \
    "smtpd_tls_cert_file = /certs/server.crt" \
    "smtpd_tls_key_file = /certs/server.key" \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_loglevel = 1" \
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination"
# No chroot (its copies of /etc files are made by Debian's init script, not by start-fg); no listener on port 25 of
# the host: only the test's port, on loopback.
postconf -F '*/*/chroot = n'
postconf -M# smtp/inet
postconf -M "127.0.0.1:$SMTP_PORT/inet=127.0.0.1:$SMTP_PORT inet n - n - - smtpd"
postfix check
exec postfix start-fg
