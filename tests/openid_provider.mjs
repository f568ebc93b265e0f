// A real OpenID Connect provider (the npm package oidc-provider) on loopback, for the tests
// of signing in through an organisation's identity provider (tests/test_single_sign_on.py).
//
//   node tests/openid_provider.mjs '{"portal_redirect_uri": "http://portal.test/..."}'
//
// It listens on a free port of 127.0.0.1 and prints one line, "listening <issuer>", once it
// serves. Its clients: the portal ("red-talks-portal", its redirect address given above) and
// another application of the same organisation ("another-application"), whose tokens the
// portal must refuse. Its people sign in on oidc-provider's own plain login form (any login
// names an account below; no password), and consent is taken as given, as an organisation's
// provider does for its own applications.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const settings = JSON.parse(process.argv[2] || "{}");

export const CLIENTS = {
  portal: { id: "red-talks-portal", secret: "portal-client-secret-for-the-tests" },
  other: { id: "another-application", secret: "another-client-secret-for-the-tests" },
};

// Test accounts, by login (which is also their subject).
const ACCOUNTS = {
  "amina-7f3a": {
    email: "amina.diallo@unhcr.example", email_verified: true, name: "Amina Diallo",
    locale: "fr-SN",
  },
  "kwame-91c2": {
    email: "kwame.mensah@unhcr.example", email_verified: false, name: "Kwame Mensah",
  },
  "fatou-2b8e": {
    email: "fatou.ndiaye@unhcr.example", email_verified: true,
    given_name: "Fatou", family_name: "Ndiaye",
  },
};

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "tests-1", use: "sig", alg: "RS256" };

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://${settings.host || "127.0.0.1"}:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENTS.portal.id,
        client_secret: CLIENTS.portal.secret,
        redirect_uris: [settings.portal_redirect_uri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      {
        client_id: CLIENTS.other.id,
        client_secret: CLIENTS.other.secret,
        redirect_uris: ["http://another-application.test/callback"],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "locale"],
    },
    // The claims of the scopes asked for go into the ID token too, as Keycloak's and most
    // organisations' providers do.
    conformIdTokenClaims: false,
    // Every client must send a PKCE challenge (S256 is the only method oidc-provider takes).
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return Grant.find(grantId);
      const grant = new Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
