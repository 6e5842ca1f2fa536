// A real OpenID Connect provider for the tests (npm `oidc-provider`, the certified
// implementation by panva), with one confidential client for Lyceum. Its sign-in page asks only
// for an email address (any address signs in as that person); consent is granted at once.
// Accounts: `sub` is "sub-" + the address; `email_verified` is false for addresses that start
// with "unverified"; the name is the address's local part in title case.
// Usage: node end2end/oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI...
import Provider from 'oidc-provider';
import { createServer } from 'node:http';

const [port, clientId, clientSecret, ...redirects] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

function nameOf(email) {
  return email.split('@')[0].split(/[._-]/).filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirects,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    department: ['department'],
  },
  // The claims go into the ID token itself, as most providers in the wild do.
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        const email = id.replace(/^sub-/, '');
        return {
          sub: id,
          email,
          email_verified: !email.startsWith('unverified'),
          name: nameOf(email),
          department: 'Nursing',
        };
      },
    };
  },
  cookies: {
    keys: ['lyceum-test-cookie-key'],
    long: { sameSite: 'lax' },
    short: { sameSite: 'lax' },
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

const page = (uid) => `<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="email">Email</label> <input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">Sign in</button></form></main></body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
createServer(async (req, res) => {
  const m = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!m) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (m[2] && req.method === 'POST') {
      const email = (await readForm(req)).get('email') || '';
      return provider.interactionFinished(req, res, { login: { accountId: `sub-${email}` } },
        { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === 'login') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      return res.end(page(details.uid));
    }
    // Consent: grant what the client asked for.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
    if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (err) {
    res.statusCode = 400;
    res.end(String(err));
  }
}).listen(Number(port), '127.0.0.1', () => console.log(`OIDC provider at ${issuer}`));
