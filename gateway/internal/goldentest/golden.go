package goldentest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Response is a parsed golden file.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ParseGolden parses a golden file: an HTTP/1.1 response as sent on the
// wire, with LF or CRLF line endings in the head. The head ends at the
// first blank line; the body is kept byte for byte. Content-Length and
// Transfer-Encoding are dropped: the fake frames the body itself.
func ParseGolden(raw []byte) (*Response, error) {
	i, sep := blankLine(raw)
	if i < 0 {
		return nil, errors.New("goldentest: golden file has no blank line after the head")
	}
	head, body := raw[:i], raw[i+sep:]
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(bytes.NewReader(head), strings.NewReader("\r\n\r\n"))), nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	resp.Header.Del("Content-Length")
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// As converts the result of ParseGolden or Server.Golden to a vendor
// fake's own Response type, which has the same fields.
func As[R ~struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}](g *Response, err error) (*R, error) {
	if err != nil {
		return nil, err
	}
	r := R(*g)
	return &r, nil
}
