package streams

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// eventRecord is one record of Lambda's DynamoDB stream event, in Lambda's JSON shape
// (events.DynamoDBEventRecord reads it).
type eventRecord struct {
	EventID        string        `json:"eventID"`
	EventName      string        `json:"eventName"`
	EventVersion   string        `json:"eventVersion"`
	EventSource    string        `json:"eventSource"`
	AWSRegion      string        `json:"awsRegion"`
	Dynamodb       streamRecord  `json:"dynamodb"`
	EventSourceARN string        `json:"eventSourceARN"`
	UserIdentity   *userIdentity `json:"userIdentity,omitempty"`
}

type streamRecord struct {
	// ApproximateCreationDateTime is epoch seconds, a JSON number, as Lambda sends it.
	ApproximateCreationDateTime float64         `json:"ApproximateCreationDateTime"`
	Keys                        json.RawMessage `json:"Keys"`
	NewImage                    json.RawMessage `json:"NewImage,omitempty"`
	OldImage                    json.RawMessage `json:"OldImage,omitempty"`
	SequenceNumber              string          `json:"SequenceNumber"`
	SizeBytes                   int64           `json:"SizeBytes"`
	StreamViewType              string          `json:"StreamViewType"`
}

type userIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// record is a stream record ready for delivery.
type record struct {
	seq     string
	created time.Time // ApproximateCreationDateTime
	readAt  time.Time // when the poller read it
	json    json.RawMessage
}

// latestCreation is the latest time the record can have been written, for the record-age
// limit. DynamoDB Local rounds ApproximateCreationDateTime down to the minute (AWS to the
// second), so a whole-minute value means "within that minute, and before it was read": the
// age is then measured from the latest possible moment, so no record is discarded early.
func (r record) latestCreation() time.Time {
	if r.created.IsZero() {
		return r.readAt
	}
	if r.created.Truncate(time.Minute).Equal(r.created) {
		if end := r.created.Add(time.Minute); r.readAt.Before(end) {
			return r.readAt
		}
		return r.created.Add(time.Minute)
	}
	return r.created
}

// convert turns a DynamoDB Streams record into the record of Lambda's event. region is the
// awsRegion Lambda reports; streamARN the eventSourceARN.
func convert(r types.Record, region, streamARN string) (record, error) {
	if r.Dynamodb == nil || r.Dynamodb.SequenceNumber == nil {
		return record{}, fmt.Errorf("stream record %s without a sequence number", aws.ToString(r.EventID))
	}
	sr := r.Dynamodb
	out := eventRecord{
		EventID: aws.ToString(r.EventID), EventName: string(r.EventName), EventVersion: aws.ToString(r.EventVersion),
		EventSource: "aws:dynamodb", AWSRegion: region, EventSourceARN: streamARN,
		Dynamodb: streamRecord{SequenceNumber: *sr.SequenceNumber, SizeBytes: aws.ToInt64(sr.SizeBytes), StreamViewType: string(sr.StreamViewType)},
	}
	if out.EventVersion == "" {
		out.EventVersion = "1.1"
	}
	if r.AwsRegion != nil && *r.AwsRegion != "" && region == "" {
		out.AWSRegion = *r.AwsRegion
	}
	var created time.Time
	if sr.ApproximateCreationDateTime != nil {
		created = *sr.ApproximateCreationDateTime
		out.Dynamodb.ApproximateCreationDateTime = float64(created.Unix())
	}
	var err error
	if out.Dynamodb.Keys, err = imageJSON(sr.Keys); err != nil {
		return record{}, fmt.Errorf("dynamodb.Keys: %w", err)
	}
	if sr.NewImage != nil {
		if out.Dynamodb.NewImage, err = imageJSON(sr.NewImage); err != nil {
			return record{}, fmt.Errorf("dynamodb.NewImage: %w", err)
		}
	}
	if sr.OldImage != nil {
		if out.Dynamodb.OldImage, err = imageJSON(sr.OldImage); err != nil {
			return record{}, fmt.Errorf("dynamodb.OldImage: %w", err)
		}
	}
	if id := r.UserIdentity; id != nil {
		out.UserIdentity = &userIdentity{Type: aws.ToString(id.Type), PrincipalID: aws.ToString(id.PrincipalId)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return record{}, err
	}
	return record{seq: *sr.SequenceNumber, created: created, readAt: time.Now(), json: b}, nil
}

// imageJSON renders stream attribute values in the JSON of DynamoDB's wire format, which is
// also Lambda's event format ({"S": "…"}, {"N": "…"}, {"M": {…}}, …).
func imageJSON(image map[string]types.AttributeValue) (json.RawMessage, error) {
	if image == nil {
		return json.RawMessage("{}"), nil
	}
	av, err := attributevalue.FromDynamoDBStreamsMap(image)
	if err != nil {
		return nil, err
	}
	return attributevalue.MarshalMapJSON(av)
}

// payload is the event of one invocation: {"Records": [...]}.
func payload(recs []record) []byte {
	raws := make([]json.RawMessage, len(recs))
	for i, r := range recs {
		raws[i] = r.json
	}
	b, _ := json.Marshal(struct {
		Records []json.RawMessage `json:"Records"`
	}{raws})
	return b
}
