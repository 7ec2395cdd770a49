package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// AdmitSignInAttempt counts one sign-in attempt for an email if the policy admits it now. Windows
// are fixed (numbered from the epoch), one item each, so the first attempt of a window creates
// its item with the same conditional ADD — the check and the count are one atomic write:
//
//	attribute_not_exists(PK) OR attempts < slowFrom
//	    OR (attempts = slowFrom+i AND lastAttempt <= now-gap[i]) …
//
// A refused attempt is not counted; its guard comes back with the failed condition.
func (s *Store) AdmitSignInAttempt(ctx context.Context, email string, now time.Time, p admin.SignInPolicy) (admin.SignInGuard, bool, error) {
	ms := func(t time.Time) types.AttributeValue {
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
	}
	start := p.WindowOf(now)
	values := map[string]types.AttributeValue{
		":now": ms(now), ":start": ms(start), ":one": num(1), ":slow": num(p.SlowFrom),
		":type": &types.AttributeValueMemberS{Value: typeGuard},
		":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(start.Add(2*p.Window).Unix(), 10)},
	}
	cond := "attribute_not_exists(PK) OR attempts < :slow"
	for i, gap := range p.Gaps {
		n := strconv.Itoa(i)
		cond += " OR (attempts = :s" + n + " AND lastAttempt <= :t" + n + ")"
		values[":s"+n] = num(p.SlowFrom + i)
		values[":t"+n] = ms(now.Add(-gap))
	}
	access(ctx, "UpdateItem", key(guardPK(email), ""))
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(guardPK(email), guardSK(start)),
		UpdateExpression:                    aws.String("ADD attempts :one SET lastAttempt = :now, windowStart = :start, #type = :type, expiresAt = :exp"),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            map[string]string{"#type": attrType},
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		ReturnConsumedCapacity:              total,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		record(ctx, "UpdateItem", ccs(res.ConsumedCapacity)...)
		g, err := decodeGuard(res.Attributes)
		return g, true, err
	case errors.As(err, &ccf):
		record(ctx, "UpdateItem")
		g, err := decodeGuard(ccf.Item)
		return g, false, err
	}
	return admin.SignInGuard{}, false, fmt.Errorf("store: count sign-in attempt: %w", err)
}

func decodeGuard(item map[string]types.AttributeValue) (admin.SignInGuard, error) {
	var g guardItem
	if err := attributevalue.UnmarshalMap(item, &g); err != nil {
		return admin.SignInGuard{}, fmt.Errorf("store: decode sign-in guard: %w", err)
	}
	if g.Attempts == 0 {
		return admin.SignInGuard{}, nil
	}
	return admin.SignInGuard{Attempts: g.Attempts, WindowStart: time.UnixMilli(g.WindowStart), LastAttempt: time.UnixMilli(g.LastAttempt)}, nil
}

// ClearSignInAttempts deletes the email's guard of the current window after a successful sign-in.
func (s *Store) ClearSignInAttempts(ctx context.Context, email string, now time.Time, p admin.SignInPolicy) error {
	access(ctx, "DeleteItem", key(guardPK(email), ""))
	res, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(guardPK(email), guardSK(p.WindowOf(now))), ReturnConsumedCapacity: total})
	if err != nil {
		return fmt.Errorf("store: clear sign-in attempts: %w", err)
	}
	record(ctx, "DeleteItem", ccs(res.ConsumedCapacity)...)
	return nil
}
