package quire

// Sub-processor kinds (claim SUB-1): the kinds of external service a
// deployment can send data to.
const (
	SubProcessorAI       = "ai_provider"
	SubProcessorSMTP     = "smtp"
	SubProcessorS3       = "s3"
	SubProcessorPostgres = "postgresql"
	SubProcessorRedis    = "redis"
	SubProcessorBreach   = "breached_password_api"
)

// RegionUnstated is a sub-processor's region when neither its
// configuration nor its endpoint names one.
const RegionUnstated = "as configured by the provider"

// SubProcessor is one external service this deployment actually sends data
// to, as its configuration enables it (claim SUB-1). Services on this
// machine (SQLite, local disk, loopback servers) are not sub-processors and
// are not listed. It holds no credentials.
type SubProcessor struct {
	// Kind is one of the SubProcessor* constants.
	Kind string `json:"kind"`
	// Name labels it: the provider's configured name, "SMTP relay", …
	Name string `json:"name"`
	// Vendor is the AI provider's kind (openai, anthropic, …); empty for
	// other kinds.
	Vendor string `json:"vendor,omitempty"`
	// Host is the host (and port) data is sent to.
	Host string `json:"host"`
	// Models are the AI models it serves; empty for other kinds.
	Models []string `json:"models,omitempty"`
	// Purpose says what it is used for.
	Purpose string `json:"purpose"`
	// DataHandling says what it receives and keeps.
	DataHandling string `json:"dataHandling"`
	// ZeroDataRetention and TrainsOnData are an AI provider's configured
	// attestations; nil for other kinds.
	ZeroDataRetention *bool `json:"zeroDataRetention,omitempty"`
	TrainsOnData      *bool `json:"trainsOnData,omitempty"`
	// Region is where it processes the data, or RegionUnstated.
	Region string `json:"region"`
	// Attestation is the operator's reference for its terms (a DPA link,
	// say), from the configuration; empty when none is given.
	Attestation string `json:"attestation,omitempty"`
}

// SubProcessorKind documents one kind of sub-processor: what it is used
// for and what it receives, whatever the deployment.
type SubProcessorKind struct {
	Kind, Title, Purpose, DataHandling string
}

// Purposes and data-handling statements of each kind, shared by the
// generated list and SECURITY.md so that the two cannot drift.
const (
	PurposeAI     = "AI features: chat, search embeddings, transcription, rerank, web search, as its models serve"
	PurposeSMTP   = "transactional email: address verification, password reset, security notices (lockout, new sign-in, security changes, account deletion), folder invitations and vulnerability-report receipts"
	PurposeS3     = "file storage: attachments and kept voice recordings"
	PurposePG     = "database: every workspace's records"
	PurposeRedis  = "shared rate limiting across instances"
	PurposeBreach = "breached-password check at sign-up, password change and sign-in"

	HandlingAI     = "receives only the minimum context of each request, with personal data and secrets replaced by placeholders (claim AI-4)"
	HandlingSMTP   = "receives each email's recipient address and text for delivery"
	HandlingS3     = "stores only ciphertext, encrypted with each workspace's key before upload (claim ENC-1)"
	HandlingPG     = "holds only ciphertext and blind indexes (keyed HMAC) of user values (claim ENC-1)"
	HandlingRedis  = "holds rate-limit counters keyed by HMAC, with no user content"
	HandlingBreach = "receives only the first 5 hex characters of a password's SHA-1 hash (k-anonymity), with padding"
)

// SubProcessorKinds lists every kind, in display order.
func SubProcessorKinds() []SubProcessorKind {
	return []SubProcessorKind{
		{SubProcessorAI, "AI providers", PurposeAI, HandlingAI + "; zero data retention and training as each provider's configuration attests"},
		{SubProcessorSMTP, "SMTP relay", PurposeSMTP, HandlingSMTP},
		{SubProcessorS3, "S3 file storage (with workspace.files.storage: s3)", PurposeS3, HandlingS3},
		{SubProcessorPostgres, "PostgreSQL (when not on this machine)", PurposePG, HandlingPG},
		{SubProcessorRedis, "Redis (when not on this machine)", PurposeRedis, HandlingRedis},
		{SubProcessorBreach, "Breached-password range API (when enabled)", PurposeBreach, HandlingBreach},
	}
}
