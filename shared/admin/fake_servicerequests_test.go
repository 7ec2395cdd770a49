package admin

import (
	"context"
	"slices"
	"strings"
)

// fakeRequestStore is the hand-written fake of ServiceRequestStore: the customer gate's read
// (fakeCustomerStore), requests keyed by customer/partner/request, their notes, and every write
// recorded. failWrites are returned by the next writes, in order (nothing is applied then).
type fakeRequestStore struct {
	fakeCustomerStore
	requests   map[string]ServiceRequest // key: customer/partner/request
	notes      map[string][]RequestNote  // key: request id
	writes     []RequestWrite
	failWrites []error
	idemKeys   map[string]Idempotency
}

var _ ServiceRequestStore = (*fakeRequestStore)(nil)

func newFakeRequestStore() *fakeRequestStore {
	return &fakeRequestStore{fakeCustomerStore: fakeCustomerStore{customers: map[string]Customer{}, rels: map[string]Relationship{}},
		requests: map[string]ServiceRequest{}, notes: map[string][]RequestNote{}, idemKeys: map[string]Idempotency{}}
}

func reqKey(cid, pid, rid string) string { return cid + "/" + pid + "/" + rid }

func (f *fakeRequestStore) ServiceRequest(_ context.Context, cid, pid, rid string) (ServiceRequest, []RequestNote, error) {
	r, ok := f.requests[reqKey(cid, pid, rid)]
	if !ok {
		return ServiceRequest{}, nil, NotFound("service request")
	}
	return r, slices.Clone(f.notes[rid]), nil
}

func (f *fakeRequestStore) CustomerServiceRequests(_ context.Context, cid, pid string, _ PageRequest) (Page[ServiceRequest], error) {
	var out Page[ServiceRequest]
	for k, r := range f.requests {
		if strings.HasPrefix(k, cid+"/"+pid+"/") {
			out.Items = append(out.Items, r)
		}
	}
	return out, nil
}

func (f *fakeRequestStore) PartnerServiceRequests(_ context.Context, pid string, statuses []RequestStatus, _ PageRequest) (Page[ServiceRequest], error) {
	var out Page[ServiceRequest]
	for _, r := range f.requests {
		if r.PartnerID == pid && slices.Contains(statuses, r.Status) {
			out.Items = append(out.Items, r)
		}
	}
	return out, nil
}

func (f *fakeRequestStore) DeskServiceRequests(_ context.Context, clouds []Cloud, statuses []RequestStatus, _ PageRequest) (Page[ServiceRequest], error) {
	var out Page[ServiceRequest]
	for _, r := range f.requests {
		if slices.Contains(clouds, r.Cloud) && slices.Contains(statuses, r.Status) {
			out.Items = append(out.Items, r)
		}
	}
	return out, nil
}

func (f *fakeRequestStore) LocateServiceRequest(_ context.Context, rid string) (string, string, error) {
	for _, r := range f.requests {
		if r.ID == rid {
			return r.CustomerID, r.PartnerID, nil
		}
	}
	return "", "", NotFound("service request")
}

func (f *fakeRequestStore) WriteServiceRequest(_ context.Context, w RequestWrite) error {
	if len(f.failWrites) > 0 {
		err := f.failWrites[0]
		f.failWrites = f.failWrites[1:]
		return err
	}
	r := w.Request
	k := reqKey(r.CustomerID, r.PartnerID, r.ID)
	if w.Idem != nil {
		if prev, ok := f.idemKeys[w.Idem.Key]; ok {
			return &IdempotencyConflict{ResourceID: prev.ResourceID, Fingerprint: prev.Fingerprint}
		}
		f.idemKeys[w.Idem.Key] = *w.Idem
	}
	if cur, ok := f.requests[k]; w.PrevVersion == 0 && ok || w.PrevVersion != 0 && (!ok || cur.Version != w.PrevVersion) {
		return versionConflict(cur.Version)
	}
	f.writes = append(f.writes, w)
	f.requests[k] = r
	if w.Note != nil {
		f.notes[r.ID] = append(f.notes[r.ID], *w.Note)
	}
	return nil
}
