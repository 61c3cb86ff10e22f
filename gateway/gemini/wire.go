package gemini

import "encoding/json"

// Wire types: the JSON of the Gemini API and of Vertex AI's Gemini
// endpoints, which share it. Outbound types (out…) are the allowlist:
// requests are built from them alone (request.go), so a field that is not
// here cannot be sent (claim AI-4). Inbound types (in…) name only what is
// read; no vendor message field exists, so none can be kept.

// outRequest is a GenerateContentRequest.
type outRequest struct {
	Contents          []outContent   `json:"contents"`
	SystemInstruction *outContent    `json:"systemInstruction,omitempty"`
	Tools             []outTool      `json:"tools,omitempty"`
	ToolConfig        *outToolConfig `json:"toolConfig,omitempty"`
	GenerationConfig  *outGenConfig  `json:"generationConfig,omitempty"`
}

// outContent is one turn: role "user" or "model" (none for the system
// instruction).
type outContent struct {
	Role  string    `json:"role,omitempty"`
	Parts []outPart `json:"parts"`
}

// outPart holds exactly one of its data fields; ThoughtSignature rides on
// a functionCall part.
type outPart struct {
	Text             string               `json:"text,omitempty"`
	InlineData       *outBlob             `json:"inlineData,omitempty"`
	FileData         *outFileData         `json:"fileData,omitempty"`
	FunctionCall     *outFunctionCall     `json:"functionCall,omitempty"`
	FunctionResponse *outFunctionResponse `json:"functionResponse,omitempty"`
	ThoughtSignature string               `json:"thoughtSignature,omitempty"`
}

type outBlob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type outFileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type outFunctionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type outFunctionResponse struct {
	Name     string         `json:"name"`
	Response functionResult `json:"response"`
}

// functionResult wraps a tool's output as the response object Gemini
// wants: {"result": …}.
type functionResult struct {
	Result json.RawMessage `json:"result"`
}

type outTool struct {
	FunctionDeclarations []outFunctionDecl `json:"functionDeclarations"`
}

// outFunctionDecl sends the parameters as parametersJsonSchema (full JSON
// Schema), not parameters (Gemini's OpenAPI subset, which refuses much of
// what clients write).
type outFunctionDecl struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type outToolConfig struct {
	FunctionCallingConfig outFunctionCalling `json:"functionCallingConfig"`
}

type outFunctionCalling struct {
	Mode                 string   `json:"mode"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

type outGenConfig struct {
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	MaxOutputTokens    int             `json:"maxOutputTokens,omitempty"`
	StopSequences      []string        `json:"stopSequences,omitempty"`
	Seed               *int32          `json:"seed,omitempty"`
	PresencePenalty    *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
	ThinkingConfig     *outThinking    `json:"thinkingConfig,omitempty"`
}

// outThinking sets either a budget (Gemini 2.5) or a level (Gemini 3 and
// later); the API refuses both at once.
type outThinking struct {
	ThinkingBudget *int   `json:"thinkingBudget,omitempty"`
	ThinkingLevel  string `json:"thinkingLevel,omitempty"`
}

// inResponse is a GenerateContentResponse, or one chunk of a stream, or
// an error object sent in its place.
type inResponse struct {
	Candidates     []inCandidate     `json:"candidates"`
	PromptFeedback *inPromptFeedback `json:"promptFeedback"`
	UsageMetadata  *inUsage          `json:"usageMetadata"`
	ModelVersion   string            `json:"modelVersion"`
	ResponseID     string            `json:"responseId"`
	// CreateTime is sent by Vertex AI only (RFC 3339).
	CreateTime string   `json:"createTime"`
	Error      *inError `json:"error"`
}

type inCandidate struct {
	Content      inContent `json:"content"`
	FinishReason string    `json:"finishReason"`
	Index        int       `json:"index"`
}

type inContent struct {
	Parts []inPart `json:"parts"`
}

type inPart struct {
	Text         string          `json:"text"`
	Thought      bool            `json:"thought"`
	FunctionCall *inFunctionCall `json:"functionCall"`
}

type inFunctionCall struct {
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type inPromptFeedback struct {
	BlockReason string `json:"blockReason"`
}

type inUsage struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount"`
}

// inError is a google.rpc.Status as the JSON APIs send it. The message is
// not read: it can quote the prompt.
type inError struct {
	Code    int             `json:"code"`
	Status  string          `json:"status"`
	Details []inErrorDetail `json:"details"`
}

// inErrorDetail is one of the typed details Google attaches: RetryInfo
// (retryDelay), ErrorInfo (reason), BadRequest (fieldViolations).
type inErrorDetail struct {
	Type            string             `json:"@type"`
	RetryDelay      string             `json:"retryDelay"`
	Reason          string             `json:"reason"`
	FieldViolations []inFieldViolation `json:"fieldViolations"`
}

type inFieldViolation struct {
	Field string `json:"field"`
}

type inErrorBody struct {
	Error *inError `json:"error"`
}

// Embeddings: batchEmbedContents (Gemini API).

type outBatchEmbed struct {
	Requests []outEmbed `json:"requests"`
}

type outEmbed struct {
	Model                string     `json:"model"`
	Content              outContent `json:"content"`
	TaskType             string     `json:"taskType,omitempty"`
	OutputDimensionality int        `json:"outputDimensionality,omitempty"`
}

type inBatchEmbed struct {
	Embeddings []inEmbedding `json:"embeddings"`
}

type inEmbedding struct {
	Values []float32 `json:"values"`
}

// Embeddings: predict (Vertex AI text-embedding models).

type outPredict struct {
	Instances  []outInstance     `json:"instances"`
	Parameters *outPredictParams `json:"parameters,omitempty"`
}

type outInstance struct {
	Content  string `json:"content"`
	TaskType string `json:"task_type,omitempty"`
}

type outPredictParams struct {
	OutputDimensionality int `json:"outputDimensionality,omitempty"`
}

type inPredict struct {
	Predictions []inPrediction `json:"predictions"`
}

type inPrediction struct {
	Embeddings struct {
		Values     []float32 `json:"values"`
		Statistics struct {
			TokenCount float64 `json:"token_count"`
		} `json:"statistics"`
	} `json:"embeddings"`
}

// Embeddings: embedContent (Vertex AI's newer Gemini embedding models).

type outEmbedContent struct {
	Content outContent     `json:"content"`
	Config  outEmbedConfig `json:"embedContentConfig"`
}

type outEmbedConfig struct {
	TaskType             string `json:"taskType,omitempty"`
	OutputDimensionality int    `json:"outputDimensionality,omitempty"`
}

type inEmbedContent struct {
	Embedding     inEmbedding `json:"embedding"`
	UsageMetadata *inUsage    `json:"usageMetadata"`
}

// Model lists: models (Gemini API) and publisherModels (Vertex AI).

type inModelList struct {
	Models          []inModel `json:"models"`
	PublisherModels []inModel `json:"publisherModels"`
	NextPageToken   string    `json:"nextPageToken"`
}

type inModel struct {
	Name string `json:"name"`
}
