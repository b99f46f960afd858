#!/bin/sh
# Writes a private dovecot.conf for the ports in the environment and runs Dovecot in the foreground.
set -eu
: "${IMAP_PORT:?}" "${IMAPS_PORT:?}" "${POP3_PORT:?}" "${POP3S_PORT:?}" "${LMTP_PORT:?}"
mkdir -p /etc/dovecot-it /srv/mail /run/dovecot-it
chown 5000:5000 /srv/mail
dh=""
[ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
cat >/etc/dovecot-it/dovecot.conf <<CONF
protocols = imap pop3 lmtp
listen = 127.0.0.1
base_dir = /run/dovecot-it/
log_path = /dev/stderr
info_log_path = /dev/stdout
ssl = yes
ssl_cert = </certs/server.crt
ssl_key = </certs/server.key
ssl_min_protocol = TLSv1.2
$dh
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot-it/users
}
userdb {
  driver = static
  args = uid=5000 gid=5000 home=/srv/mail/%d/%n allow_all_users=yes
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
}
pop3_uidl_format = %08Xu%08Xv
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
CONF
exec dovecot -F -c /etc/dovecot-it/dovecot.conf
