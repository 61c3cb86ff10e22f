package http

import (
	"net/http"
	"time"

	"github.com/quirehq/quire"
)

// registerPrivacy adds the privacy settings routes of claim CCPA-1
// (session or API key), when a privacy store is configured.
func (s *Server) registerPrivacy() {
	if s.cfg.Privacy == nil {
		return
	}
	s.Handle("GET /api/v1/me/privacy", s.apiGetPrivacy)
	s.Handle("PUT /api/v1/me/privacy", s.apiPutPrivacy)
}

// privacyJSON is the public shape of a user's privacy settings; UpdatedAt
// is null until the user first saves them.
type privacyJSON struct {
	Analytics   bool       `json:"analytics"`
	HelpImprove bool       `json:"helpImprove"`
	UpdatedAt   *time.Time `json:"updatedAt"`
}

// privacyBody is the body of PUT /api/v1/me/privacy: both settings,
// each required, so that a client never turns one on by leaving it out.
type privacyBody struct {
	Analytics   *bool `json:"analytics"`
	HelpImprove *bool `json:"helpImprove"`
}

// apiGetPrivacy answers the caller's settings: all off until they opt in.
func (s *Server) apiGetPrivacy(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	p, err := s.cfg.Privacy.FindPrivacySettings(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, toPrivacyJSON(p))
}

// apiPutPrivacy saves both of the caller's settings.
func (s *Server) apiPutPrivacy(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	var in privacyBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in.Analytics == nil || in.HelpImprove == nil {
		return quire.Errorf(quire.EINVALID, "Give both analytics and helpImprove, each true or false.")
	}
	p, err := s.cfg.Privacy.UpdatePrivacySettings(r.Context(), a.UserID,
		quire.PrivacySettings{Analytics: *in.Analytics, HelpImprove: *in.HelpImprove})
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, toPrivacyJSON(p))
}

// toPrivacyJSON shapes p for the API.
func toPrivacyJSON(p *quire.PrivacySettings) privacyJSON {
	out := privacyJSON{Analytics: p.Analytics, HelpImprove: p.HelpImprove}
	if !p.UpdatedAt.IsZero() {
		t := p.UpdatedAt
		out.UpdatedAt = &t
	}
	return out
}
