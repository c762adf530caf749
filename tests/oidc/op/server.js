// A real OpenID Provider for the tests (tests/oidc): panva's certified oidc-provider, configured from the JSON file
// named in argv[2] ({issuer, port, clients, accounts, jwks}), with its own login and consent pages
// (devInteractions): a test signs in by posting those forms, as a person would in a browser.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  // the claims a person's organisation maps to roles arrive in the ID token itself
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  ttl: { IdToken: config.id_token_ttl || 3600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600,
         Session: 3600, Grant: 3600 },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: account.sub, email: account.email, email_verified: true, name: account.name,
                 groups: account.groups || [] };
      },
    };
  },
});
provider.proxy = false;
// the provider's own errors, for a test's output
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${config.issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
