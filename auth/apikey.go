package auth

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire"
)

// APIKeyPrefix starts every personal API key, so leaked keys are easy to
// recognise and scan for.
const APIKeyPrefix = "qk_"

// apiKeyIndexPurpose is the blind-index purpose of API key secrets.
const apiKeyIndexPurpose = "api_keys.secret"

// shownPrefix is how many characters of a key lists show.
const shownPrefix = len(APIKeyPrefix) + 6

// CreateAPIKey creates a named personal key, after checking the password
// (and that the address is verified), and returns it with the full key,
// which is shown this once and never stored.
func (s *Service) CreateAPIKey(ctx context.Context, userID, name, pw string) (*quire.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 || !utf8.ValidString(name) {
		return nil, "", quire.Errorf(quire.EINVALID, "Key name must be 1 to 100 bytes of text.")
	}
	if err := s.guardNewCredential(ctx, userID, pw); err != nil {
		return nil, "", err
	}
	secret := APIKeyPrefix + newSecret()
	k := &quire.APIKey{ID: quire.NewID(), UserID: userID, Name: name, Prefix: secret[:shownPrefix],
		SecretIndex: s.index(apiKeyIndexPurpose, []byte(secret)), CreatedAt: s.now().UTC()}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	_ = s.audit(ctx, EventKeyCreated, userID, map[string]string{"key": k.ID})
	s.notifyChange(ctx, userID, "An API key was created.")
	return k, secret, nil
}

// AuthenticateKey returns the API key with the secret. Use is recorded at
// most once a minute.
func (s *Service) AuthenticateKey(ctx context.Context, secret string) (*quire.APIKey, error) {
	if !strings.HasPrefix(secret, APIKeyPrefix) || len(secret) > 100 {
		return nil, quire.Errorf(quire.EUNAUTHORIZED, "The API key is not valid.")
	}
	k, err := s.store.FindAPIKey(ctx, s.index(apiKeyIndexPurpose, []byte(secret)))
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		return nil, quire.Errorf(quire.EUNAUTHORIZED, "The API key is not valid.")
	} else if err != nil {
		return nil, err
	}
	if now := s.now(); now.Sub(k.LastUsedAt) >= touchEvery {
		if err := s.store.TouchAPIKey(ctx, k.ID, now.UTC()); err != nil {
			return nil, err
		}
		k.LastUsedAt = now
	}
	return k, nil
}

// APIKeys lists the user's keys (never their secrets).
func (s *Service) APIKeys(ctx context.Context, userID string) ([]*quire.APIKey, error) {
	return s.store.FindAPIKeysByUser(ctx, userID)
}

// RevokeAPIKey deletes one of the user's keys.
func (s *Service) RevokeAPIKey(ctx context.Context, userID, id string) error {
	if !quire.ValidID(id) {
		return quire.Errorf(quire.ENOTFOUND, "API key not found.")
	}
	if err := s.store.DeleteAPIKey(ctx, userID, id); err != nil {
		return err
	}
	return s.audit(ctx, EventKeyRevoked, userID, map[string]string{"key": id})
}

// revokeAPIKeys deletes every API key of the user.
func (s *Service) revokeAPIKeys(ctx context.Context, userID string) error {
	keys, err := s.store.FindAPIKeysByUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.store.DeleteAPIKey(ctx, userID, k.ID); err != nil && quire.ErrorCode(err) != quire.ENOTFOUND {
			return err
		}
		_ = s.audit(ctx, EventKeyRevoked, userID, map[string]string{"key": k.ID, "by": "password_reset"})
	}
	return nil
}
