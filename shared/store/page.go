package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Cursors are the base64url of the last sort key returned, nothing else. The partition key of a
// query always comes from the caller's scope, never from the cursor, and the sort key must carry
// the listing's prefix and lie in its range: a tampered or foreign cursor can at most skip within
// the caller's own listing.
func encodeCursor(sk string) string { return base64.RawURLEncoding.EncodeToString([]byte(sk)) }

// invalidCursor is the one answer to a cursor that is not of the listing it is sent to (tampered,
// foreign, or of another query).
func invalidCursor() error {
	return &admin.Error{Code: admin.CodeInvalidCursor, Message: "the cursor is not one of this listing",
		Fields: []admin.FieldError{{Field: "cursor", Code: "invalid_cursor", Detail: "is not a cursor of this listing"}}}
}

func decodeCursor(c, prefix, lo, hi string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	sk := string(b)
	if err != nil || !strings.HasPrefix(sk, prefix) || (lo != "" && sk < lo) || (hi != "" && sk > hi) || len(sk) > 512 {
		return "", invalidCursor()
	}
	return sk, nil
}

func clamp(limit int) int32 {
	switch {
	case limit <= 0:
		return admin.DefaultPageSize
	case limit > admin.MaxPageSize:
		return admin.MaxPageSize
	}
	return int32(limit)
}

// queryPage reads one page of items of partition pk whose sort keys start with prefix (and lie in
// [lo, hi] when given), following DynamoDB pages until the page is full or the listing ends.
// stored is an item struct that converts to its domain type.
type stored[D any] interface{ domain() D }

// listPage is queryPage with the items converted to the domain's page.
func listPage[I stored[D], D any](ctx context.Context, s *Store, op, pk, prefix, lo, hi string, page admin.PageRequest, forward bool) (admin.Page[D], error) {
	items, next, err := queryPage[I](ctx, s, op, pk, prefix, lo, hi, page, forward)
	if err != nil {
		return admin.Page[D]{}, err
	}
	return admin.Page[D]{Items: domains[I](items), NextCursor: next}, nil
}

// domains converts stored items to their domain values.
func domains[I stored[D], D any](items []I) []D {
	out := make([]D, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out
}

func queryPage[T any](ctx context.Context, s *Store, op, pk, prefix, lo, hi string, page admin.PageRequest, forward bool) ([]T, string, error) {
	limit := clamp(page.Limit)
	cond := "PK = :pk AND begins_with(SK, :prefix)"
	values := map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}
	if lo != "" || hi != "" {
		cond = "PK = :pk AND SK BETWEEN :lo AND :hi"
		if lo == "" {
			lo = prefix
		}
		if hi == "" {
			hi = prefix + "\uffff"
		}
		values[":lo"] = &types.AttributeValueMemberS{Value: lo}
		values[":hi"] = &types.AttributeValueMemberS{Value: hi}
	} else {
		values[":prefix"] = &types.AttributeValueMemberS{Value: prefix}
	}
	in := &dynamodb.QueryInput{TableName: &s.table, KeyConditionExpression: &cond, ExpressionAttributeValues: values,
		ScanIndexForward: aws.Bool(forward), ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total}
	if page.Cursor != "" {
		sk, err := decodeCursor(page.Cursor, prefix, lo, hi)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = key(pk, sk)
	}
	access(ctx, "Query", key(pk, ""))
	var out []T
	for {
		// Ask for one more than needed so that the last page does not hand out a cursor.
		in.Limit = aws.Int32(limit + 1 - int32(len(out)))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("store: %s: %w", op, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var got []T
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &got); err != nil {
			return nil, "", fmt.Errorf("store: %s: decode: %w", op, err)
		}
		out = append(out, got...)
		if len(out) > int(limit) || res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	if len(out) <= int(limit) {
		return out, "", nil
	}
	out = out[:limit]
	last := marshal(out[limit-1])
	return out, encodeCursor(last[attrSK].(*types.AttributeValueMemberS).Value), nil
}
