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

// AdmitSignInAttempt counts one sign-in attempt for an email if the policy admits it now. The
// policy is one condition expression, so the check and the count are one atomic write:
//
//	windowStart > now-window AND (attempts < slowFrom
//	    OR (attempts = slowFrom+i AND lastAttempt <= now-gap[i]) …)
//
// A refused attempt is not counted; its guard comes back with the failed condition. A missing or
// expired guard starts a new window.
func (s *Store) AdmitSignInAttempt(ctx context.Context, email string, now time.Time, p admin.SignInPolicy) (admin.SignInGuard, bool, error) {
	k := key(guardPK(email), skGuard)
	ms := func(t time.Time) types.AttributeValue {
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
	}
	values := map[string]types.AttributeValue{
		":now": ms(now), ":cutoff": ms(now.Add(-p.Window)), ":one": num(1), ":slow": num(p.SlowFrom),
		":type": &types.AttributeValueMemberS{Value: typeGuard}, ":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(2*p.Window).Unix(), 10)},
	}
	cond := "windowStart > :cutoff AND (attempts < :slow"
	for i, gap := range p.Gaps {
		n := strconv.Itoa(i)
		cond += " OR (attempts = :s" + n + " AND lastAttempt <= :t" + n + ")"
		values[":s"+n] = num(p.SlowFrom + i)
		values[":t"+n] = ms(now.Add(-gap))
	}
	cond += ")"
	for try := 0; try < 3; try++ {
		res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: k,
			UpdateExpression:                    aws.String("ADD attempts :one SET lastAttempt = :now, #type = :type, expiresAt = :exp"),
			ConditionExpression:                 aws.String(cond),
			ExpressionAttributeNames:            map[string]string{"#type": "Type"},
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
			if err != nil {
				return g, false, err
			}
			if g.Attempts > 0 && now.Sub(g.WindowStart) < p.Window {
				return g, false, nil // refused by the policy
			}
			// No window, or an expired one: start a new window with this attempt. If a racing
			// attempt started it first, count against that window instead.
			_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, ReturnConsumedCapacity: total,
				Item: marshal(guardItem{PK: guardPK(email), SK: skGuard, Type: typeGuard, Attempts: 1,
					WindowStart: now.UnixMilli(), LastAttempt: now.UnixMilli(), ExpiresAt: now.Add(2 * p.Window).Unix()}),
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR windowStart <= :cutoff"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":cutoff": values[":cutoff"]},
			})
			record(ctx, "PutItem")
			if err == nil {
				return admin.SignInGuard{}, true, nil
			}
			if !errors.As(err, &ccf) {
				return admin.SignInGuard{}, false, fmt.Errorf("store: start sign-in window: %w", err)
			}
		default:
			return admin.SignInGuard{}, false, fmt.Errorf("store: count sign-in attempt: %w", err)
		}
	}
	return admin.SignInGuard{}, false, admin.Errorf(admin.CodeConcurrentRequest, "too many simultaneous sign-in attempts; retry")
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

// ClearSignInAttempts deletes the email's guard after a successful sign-in.
func (s *Store) ClearSignInAttempts(ctx context.Context, email string) error {
	res, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(guardPK(email), skGuard), ReturnConsumedCapacity: total})
	if err != nil {
		return fmt.Errorf("store: clear sign-in attempts: %w", err)
	}
	record(ctx, "DeleteItem", ccs(res.ConsumedCapacity)...)
	return nil
}
