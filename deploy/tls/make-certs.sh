#!/usr/bin/env bash
# Self-signed CA and one certificate for scheduler, workers and clients (testing and small sites).
# Production: use certificates from your site's CA. usage: deploy/tls/make-certs.sh DIR [HOSTNAME]
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR [HOSTNAME]}
host=${2:-127.0.0.1}
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=llpscan-ca" -keyout ca.key -out ca.pem 2>/dev/null
case "$host" in
    *[!0-9.]*) san="DNS:$host" ;;
    *) san="IP:$host" ;;
esac
openssl req -newkey rsa:2048 -nodes -subj "/CN=$host" -keyout node.key -out node.csr 2>/dev/null
printf "subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n" "$san" >ext.cnf
openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile ext.cnf \
    -out node.pem 2>/dev/null
rm -f node.csr ext.cnf ca.srl
chmod 600 ca.key node.key
echo "$dir: ca.pem node.pem node.key"
