// Command echo is a tiny real Lambda function (aws-lambda-go, Runtime API) for the local
// runtime's tests. It answers an HTTP API payload 2.0 event with a 200 whose JSON body echoes the
// event, and any other payload with a JSON document describing the invocation. Fields of a
// JSON payload (or of an HTTP event's JSON body) steer it:
//
//	{"sleepMs": 500}     sleep before answering
//	{"waitFile": "/p"}   wait until the file /p exists (a barrier tests open), then answer
//	{"fail": "message"}  return an error
//	{"panic": true}      panic (the runtime reports Runtime.Panic and exits)
//	{"crash": true}      exit(3) in the middle of the invocation
//	{"log": "text"}      write text to stdout first
//	{"raw": <json>}      answer exactly <json> (for HTTP: instead of a response object)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var started = time.Now()

type steer struct {
	SleepMs  int             `json:"sleepMs"`
	WaitFile string          `json:"waitFile"`
	Fail     string          `json:"fail"`
	Panic    bool            `json:"panic"`
	Crash    bool            `json:"crash"`
	Log      string          `json:"log"`
	Raw      json.RawMessage `json:"raw"`
}

func handle(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	var probe struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(payload, &probe)
	var s steer
	var httpEvent *events.APIGatewayV2HTTPRequest
	if probe.Version == "2.0" {
		httpEvent = &events.APIGatewayV2HTTPRequest{}
		if err := json.Unmarshal(payload, httpEvent); err != nil {
			return nil, err
		}
		if !httpEvent.IsBase64Encoded {
			_ = json.Unmarshal([]byte(httpEvent.Body), &s)
		}
	} else {
		_ = json.Unmarshal(payload, &s)
	}
	if s.Log != "" {
		fmt.Println(s.Log)
	}
	if s.SleepMs > 0 {
		time.Sleep(time.Duration(s.SleepMs) * time.Millisecond)
	}
	for s.WaitFile != "" {
		if _, err := os.Stat(s.WaitFile); err == nil {
			break
		}
		select {
		case <-ctx.Done(): // the function timeout: the runtime kills the process anyway
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	if s.Crash {
		os.Exit(3)
	}
	if s.Panic {
		panic("echo: asked to panic")
	}
	if s.Fail != "" {
		return nil, errors.New(s.Fail)
	}
	if len(s.Raw) > 0 {
		return s.Raw, nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	info := map[string]any{
		"pid":         os.Getpid(),
		"requestId":   lc.AwsRequestID,
		"functionArn": lc.InvokedFunctionArn,
		"deadlineMs":  deadline.UnixMilli(),
		"uptimeMs":    time.Since(started).Milliseconds(),
		"env":         lambdaEnv(),
	}
	if httpEvent == nil {
		info["payload"] = payload
		return json.Marshal(info)
	}
	info["event"] = httpEvent
	body, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	return json.Marshal(events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"content-type": "application/json", "x-echo": "1"},
		Cookies:    []string{"echo=1; Path=/"},
		Body:       string(body),
	})
}

func lambdaEnv() map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "LAMBDA_") || k == "_HANDLER" ||
			k == "TABLE_NAME" || k == "STAGE" || k == "ECHO_VAR" {
			out[k] = v
		}
	}
	return out
}

func main() {
	lambda.Start(handle)
}
