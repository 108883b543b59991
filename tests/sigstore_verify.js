// SPDX-License-Identifier: Apache-2.0
// Verifies a Sigstore bundle with @sigstore/verify against one PEM public key:
// the key is the only trust material (found by the bundle's hint, which is the
// SHA-256 of the PEM file's text), no transparency log, no timestamps.
// usage: node sigstore_verify.js BUNDLE.json KEY.pem; exit 0 verified, 1 not.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function main(bundlePath, keyPath) {
  const pem = fs.readFileSync(keyPath);
  const hint = crypto.createHash('sha256').update(pem).digest('hex');
  const der = crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' });
  const keys = { [hint]: { rawBytes: der } };
  const root = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root, keys), {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  verifier.verify(toSignedEntity(bundle));
  const payload = bundle.content.dsseEnvelope;
  console.log(`verified: ${bundlePath} (${payload.payloadType}, key ${hint})`);
}

try {
  main(process.argv[2], process.argv[3]);
} catch (e) {
  console.error(`not verified: ${process.argv[2]}: ${e.code || ''} ${e.message}`);
  process.exit(1);
}
