package email

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// SESAPI is the part of the SES v2 client the Sender uses.
type SESAPI interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends rendered messages with SES v2 SendEmail and structured content (Content.Simple:
// subject, text and HTML parts, UTF-8), never raw MIME, so SES builds every header itself.
type Sender struct {
	SES SESAPI
	// ConfigurationSet, if set, names the SES configuration set (event destinations).
	ConfigurationSet string
}

const charset = "UTF-8"

// Send sends m from from to the recipients and returns SES's message id. The subject goes
// through Subject once more, so no caller can put a line break into the header. A failure is a
// *SendError that says whether to retry (Classify).
func (s *Sender) Send(ctx context.Context, from string, to []string, m Message) (string, error) {
	if len(to) == 0 {
		return "", &SendError{Class: Permanent, Err: errors.New("no recipients")}
	}
	if strings.ContainsAny(from, "\r\n") {
		return "", &SendError{Class: Permanent, Err: errors.New("the sender address contains a line break")}
	}
	for _, a := range to {
		if strings.ContainsAny(a, "\r\n,;<>\x00") || !strings.Contains(a, "@") {
			return "", &SendError{Class: Permanent, Err: errors.New("a recipient is not a plain email address")}
		}
	}
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: aws.String(charset)}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: aws.String(charset)}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(Subject(m.Subject)), Charset: aws.String(charset)},
			Body:    body,
		}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	out, err := s.SES.SendEmail(ctx, in)
	if err != nil {
		return "", &SendError{Class: Classify(err), Err: err}
	}
	if out.MessageId == nil || *out.MessageId == "" {
		return "", &SendError{Class: Retryable, Err: errors.New("SES answered without a message id")}
	}
	return *out.MessageId, nil
}

// Class says what to do after a failed send.
type Class int

const (
	// Retryable: throttling, quota, a 5xx, a timeout or a network failure; try again later
	// with backoff.
	Retryable Class = iota
	// Permanent: SES refused this message (rejected content, bad request, unverified sender
	// domain, unknown identity); retrying cannot help.
	Permanent
	// Paused: the account's sending is paused or suspended; nothing can be sent until an
	// operator acts. Retry with a long backoff and alert.
	Paused
)

func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	case Paused:
		return "paused"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// SendError is a failed send with its class.
type SendError struct {
	Class Class
	Err   error
}

func (e *SendError) Error() string { return fmt.Sprintf("email: send (%s): %v", e.Class, e.Err) }
func (e *SendError) Unwrap() error { return e.Err }

// Throttled reports whether err is SES throttling (TooManyRequestsException or
// LimitExceededException): the caller should slow down, not only retry.
func Throttled(err error) bool {
	var tm *types.TooManyRequestsException
	var le *types.LimitExceededException
	if errors.As(err, &tm) || errors.As(err, &le) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "TooManyRequestsException", "LimitExceededException", "ThrottlingException", "Throttling":
			return true
		}
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 429
}

// Classify maps an SES SendEmail error to a Class. Typed SES v2 errors come first, then the
// error code of any smithy API error, then the HTTP status; errors without a response
// (timeouts, connection failures, cancelled contexts) are retryable. An unknown API error is
// retryable too: a misconfiguration (e.g. AccessDenied) must not fail every email for good, and
// the caller caps the attempts.
func Classify(err error) Class {
	if err == nil {
		return Retryable
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Class
	}
	var (
		paused    *types.SendingPausedException
		suspended *types.AccountSuspendedException
		rejected  *types.MessageRejected
		bad       *types.BadRequestException
		mailFrom  *types.MailFromDomainNotVerifiedException
		notFound  *types.NotFoundException
	)
	switch {
	case errors.As(err, &paused), errors.As(err, &suspended):
		return Paused
	case errors.As(err, &rejected), errors.As(err, &bad), errors.As(err, &mailFrom), errors.As(err, &notFound):
		return Permanent
	case Throttled(err):
		return Retryable
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "SendingPausedException", "AccountSuspendedException":
			return Paused
		case "MessageRejected", "BadRequestException", "MailFromDomainNotVerifiedException", "NotFoundException",
			"InvalidParameterValue", "ValidationException":
			return Permanent
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if code := re.HTTPStatusCode(); code >= 500 || code == 429 || code == 408 {
			return Retryable
		}
		if ae == nil && re.HTTPStatusCode() == 400 {
			return Permanent
		}
	}
	return Retryable // timeouts, network failures, unknown errors
}
