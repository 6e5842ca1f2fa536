//! OpenID Connect with one provider, through the `openidconnect` crate: discovery (with the
//! provider's keys), the authorization URL with state, nonce and PKCE (S256), and the code
//! exchanged for an ID token whose signature, issuer, audience, expiry and nonce are checked.
//! What the person is (subject, address, name) is read from the checked token's claims by the
//! names the administrator mapped. Its HTTP calls go through our reqwest, without following
//! redirects (a provider's endpoints are given, never discovered by a redirect).

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, IdTokenClaims, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Claims beyond the standard ones (a department, an employee number), kept for the mapping.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherClaims(HashMap<String, serde_json::Value>);
impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a step with the provider failed, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

fn fail(context: &str, cause: impl std::fmt::Display) -> Failure {
    Failure(format!("{context}: {cause}"))
}

/// The provider as configured, with its secret opened.
pub struct Provider<'a> {
    pub issuer_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub redirect_uri: String,
    pub scopes: &'a str,
}

/// Where to send the browser, and what the callback must find again.
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person as the checked ID token describes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// The token's other claims with a text value, by name (for the profile mapping).
    pub texts: std::collections::BTreeMap<String, String>,
}

fn http_client() -> Result<reqwest::Client, Failure> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client.clone());
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        // No idle connections kept: sign-ins are rare, and a provider closing an idle one
        // (Node's keep-alive ends after 5 s) would fail the next request that reused it.
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| fail("Lyceum could not make an HTTP client", e))?;
    Ok(CLIENT.get_or_init(|| client).clone())
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

async fn send(client: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpFailure(e.to_string()))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| HttpFailure(e.to_string()))?;
    let mut out = http::Response::new(body.to_vec());
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

/// The issuer as typed, without the discovery document's path if it was pasted whole.
pub fn issuer(url: &str) -> &str {
    let url = url.trim();
    url.strip_suffix("/.well-known/openid-configuration")
        .unwrap_or(url)
}

/// How long a provider's discovery document and keys are reused: each sign-in does not ask the
/// provider again, and keys it rotates are read within minutes.
const DISCOVERY_TTL: Duration = Duration::from_secs(5 * 60);

type Discovered = HashMap<String, (Instant, CoreProviderMetadata)>;

fn discovered() -> &'static Mutex<Discovered> {
    static CACHE: OnceLock<Mutex<Discovered>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Reads the provider's discovery document and keys afresh (also how a saved provider is
/// checked), and keeps them for the sign-ins of the next minutes.
pub async fn discover(issuer_url: &str) -> Result<CoreProviderMetadata, Failure> {
    let client = http_client()?;
    let http = move |req: HttpRequest| send(client.clone(), req);
    let issuer = IssuerUrl::new(issuer(issuer_url).to_string())
        .map_err(|e| fail("The issuer is not a URL", e))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(|e| {
            fail(
                "Lyceum could not read the provider's discovery document",
                error_chain(&e),
            )
        })?;
    if let Ok(mut cache) = discovered().lock() {
        cache.insert(issuer_url.to_string(), (Instant::now(), metadata.clone()));
    }
    Ok(metadata)
}

/// The provider's discovery document and keys, as read in the last minutes or afresh.
async fn metadata(issuer_url: &str) -> Result<CoreProviderMetadata, Failure> {
    let kept = discovered().lock().ok().and_then(|cache| {
        cache
            .get(issuer_url)
            .filter(|(at, _)| at.elapsed() < DISCOVERY_TTL)
            .map(|(_, m)| m.clone())
    });
    match kept {
        Some(metadata) => Ok(metadata),
        None => discover(issuer_url).await,
    }
}

fn forget(issuer_url: &str) {
    if let Ok(mut cache) = discovered().lock() {
        cache.remove(issuer_url);
    }
}

fn client(p: &Provider<'_>, metadata: CoreProviderMetadata) -> Result<OidcClient, Failure> {
    let redirect = RedirectUrl::new(p.redirect_uri.clone())
        .map_err(|e| fail("The redirect URI is not a URL", e))?;
    Ok(OidcClient::from_provider_metadata(
        metadata,
        ClientId::new(p.client_id.to_string()),
        Some(ClientSecret::new(p.client_secret.to_string())),
    )
    .set_redirect_uri(redirect))
}

/// The authorization URL to send the browser to, with a fresh state, nonce and PKCE pair.
pub async fn start(p: &Provider<'_>) -> Result<Start, Failure> {
    let client = client(p, metadata(p.issuer_url).await?)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in p.scopes.split_whitespace().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    Ok(Start {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// The claim names an administrator mapped.
pub struct Mapping<'a> {
    pub email: &'a str,
    pub name: &'a str,
}

/// Exchanges the code (with the PKCE verifier) and checks the ID token against the nonce.
pub async fn finish(
    p: &Provider<'_>,
    code: &str,
    nonce: &str,
    pkce_verifier: &str,
    mapping: &Mapping<'_>,
) -> Result<Person, Failure> {
    let client = client(p, metadata(p.issuer_url).await?)?;
    let http_client = http_client()?;
    let http = move |req: HttpRequest| send(http_client.clone(), req);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| fail("The provider names no token endpoint", e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
        .request_async(&http)
        .await
        .map_err(|e| {
            fail(
                "The provider did not give a token for the code",
                error_chain(&e),
            )
        })?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens)
        .ok_or_else(|| Failure("The provider's answer has no ID token.".into()))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_string()))
        .map_err(|e| {
            // Perhaps signed with a key it rotated in since: read its keys afresh next time.
            forget(p.issuer_url);
            fail("The provider's ID token did not pass the checks", e)
        })?;
    Ok(person(claims, mapping))
}

/// The person from checked claims: the mapped claims are looked up by name among all of them.
fn person(claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>, mapping: &Mapping<'_>) -> Person {
    let all = serde_json::to_value(claims).unwrap_or_default();
    let text = |name: &str| {
        all.get(name)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Person {
        subject: claims.subject().to_string(),
        email: text(mapping.email),
        // An address from another claim (a directory's user principal name) is never marked.
        email_verified: mapping.email == "email" && claims.email_verified() == Some(true),
        name: text(mapping.name),
        texts: all
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.trim().to_string())))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
