package auth

// Audit events: every security event is appended to the audit log under
// one of these names.
const (
	EventSignUp          = "signup"
	EventLoginSuccess    = "login_success"
	EventLoginFailure    = "login_failure"
	EventLocked          = "account_locked"
	EventUnlocked        = "account_unlocked"
	EventLogout          = "logout"
	EventPasswordChanged = "password_changed"
	EventPasswordReset   = "password_reset"
	EventBreachedAtLogin = "password_breached_at_login"
	EventEmailVerified   = "email_verified"
	EventMFAEnabled      = "mfa_enabled"
	EventMFADisabled     = "mfa_disabled"
	EventRecoveryUsed    = "recovery_code_used"
	EventPasskeyAdded    = "passkey_added"
	EventPasskeyRemoved  = "passkey_removed"
	EventKeyCreated      = "api_key_created"
	EventKeyRevoked      = "api_key_revoked"
	EventSessionRevoked  = "session_revoked"
	EventAIPolicyChanged = "ai_policy_changed"
)
