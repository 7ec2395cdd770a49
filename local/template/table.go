package template

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Ensure creates the table if it does not exist yet, waits until it is ACTIVE and enables its
// TTL attribute. created reports whether the table was created by this call.
func (t *Table) Ensure(ctx context.Context, db *dynamodb.Client) (created bool, err error) {
	_, err = db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	var notFound *types.ResourceNotFoundException
	switch {
	case err == nil:
	case errors.As(err, &notFound):
		in := *t.CreateTableInput
		if _, err := db.CreateTable(ctx, &in); err != nil {
			var inUse *types.ResourceInUseException
			if !errors.As(err, &inUse) {
				return false, fmt.Errorf("create table %s: %w", t.Name, err)
			}
		} else {
			created = true
		}
	default:
		return false, fmt.Errorf("describe table %s: %w", t.Name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)}, 2*time.Minute); err != nil {
		return created, fmt.Errorf("wait for table %s: %w", t.Name, err)
	}
	if t.TTLAttribute == "" {
		return created, nil
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(t.Name)})
	if err != nil {
		return created, fmt.Errorf("describe TTL of %s: %w", t.Name, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == t.TTLAttribute &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return created, nil
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(t.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return created, fmt.Errorf("enable TTL on %s.%s: %w", t.Name, t.TTLAttribute, err)
	}
	return created, nil
}

// WithoutStream returns a copy of t whose table is created without its stream (the tests and
// the bench's clock that do not read it: DynamoDB Local is slower on a table with a stream).
func (t *Table) WithoutStream() *Table {
	c := *t
	in := *t.CreateTableInput
	in.StreamSpecification = nil
	c.CreateTableInput = &in
	return &c
}
