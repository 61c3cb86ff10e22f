package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/quirehq/quire/gateway"
)

// scopeCloudPlatform is the OAuth2 scope Vertex AI requires.
const scopeCloudPlatform = "https://www.googleapis.com/auth/cloud-platform"

// tokenTimeout bounds one exchange of a service-account assertion for an
// access token. The oauth2 package gives the exchange no context of its
// own, so the client it uses carries this timeout.
const tokenTimeout = 30 * time.Second

// errToken is the cause of every failed token exchange. The oauth2
// package's own errors are dropped: their text holds the token endpoint's
// URL and response body.
var errToken = errors.New("service-account access token exchange failed")

// newTokenSource returns a source of access tokens for the configured
// service account (cfg.validate has checked the key file): signed JWT
// assertions exchanged at the file's token_uri through client, so that the
// exchange obeys the same TLS and loopback rules as every other outbound
// request (claim TLS-2). Tokens are cached and refreshed shortly before
// they expire. Only key files of type service_account are accepted: other
// credential types (external accounts in particular) can make the library
// run commands or fetch arbitrary URLs.
func newTokenSource(cfg *Config, client *http.Client) (oauth2.TokenSource, error) {
	tc := *client
	tc.Timeout = tokenTimeout
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &tc)
	creds, err := google.CredentialsFromJSONWithType(ctx, []byte(cfg.APIKey.Reveal()), google.ServiceAccount, scopeCloudPlatform)
	if err != nil {
		return nil, fmt.Errorf("gemini: provider %s: the service-account key was refused", cfg.Name)
	}
	return oauth2.ReuseTokenSource(nil, creds.TokenSource), nil
}

// token returns a valid access token: the cached one, or a new one. The
// wait for an exchange ends when ctx does; the exchange itself carries on
// (bounded by tokenTimeout) and its token is cached for the next call.
func (p *Provider) token(ctx context.Context) (string, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		tok, err := p.tokens.Token()
		ch <- result{tok, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return "", p.tokenError(ctx, r.err)
		}
		if r.tok.AccessToken == "" {
			e := gateway.NewError(p.name, gateway.ClassAuth, errToken)
			return "", e
		}
		return r.tok.AccessToken, nil
	case <-ctx.Done():
		return "", gateway.NewTransportError(ctx, p.name, ctx.Err())
	}
}

// tokenError classifies a failed exchange: a refusal by the token
// endpoint keeps its status and OAuth2 error code (invalid_grant, …);
// anything else is a connection failure. No text of the cause is kept.
func (p *Provider) tokenError(ctx context.Context, err error) *gateway.ProviderError {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		status := re.Response.StatusCode
		class := gateway.ClassAuth
		switch {
		case status == http.StatusTooManyRequests:
			class = gateway.ClassRateLimited
		case status >= 500:
			class = gateway.ClassServer
		}
		e := gateway.NewError(p.name, class, errToken)
		e.Status = status
		code := re.ErrorCode
		if code == "" {
			var body struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				code = body.Error
			}
		}
		e.Code = gateway.SafeToken(code, 64)
		e.RetryAfter = gateway.ParseRetryAfter(re.Response.Header, time.Now())
		return e
	}
	if ctx.Err() != nil {
		return gateway.NewTransportError(ctx, p.name, ctx.Err())
	}
	return gateway.NewError(p.name, gateway.ClassConnection, errToken)
}
