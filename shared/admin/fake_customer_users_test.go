package admin

import "context"

// fakeCustomerUserStore is a CustomerUserStore over maps; it records the writes.
type fakeCustomerUserStore struct {
	customers *fakeCustomerStore
	users     map[string]User // key: customerID + "/" + userID
	resets    map[string]PasswordResets
	created   []CustomerUserWrite
	updated   []User
	deltas    []int
	deleted   []User
	reset     []PasswordResetWrite
}

var _ CustomerUserStore = (*fakeCustomerUserStore)(nil)

func (f *fakeCustomerUserStore) writes() int {
	return len(f.created) + len(f.updated) + len(f.deleted) + len(f.reset)
}

func (f *fakeCustomerUserStore) CustomerUsers(_ context.Context, customerID string, _ PageRequest) (Page[User], error) {
	var p Page[User]
	for _, u := range f.users {
		if u.OrgID == customerID {
			p.Items = append(p.Items, u)
		}
	}
	return p, nil
}

func (f *fakeCustomerUserStore) CustomerUserOf(_ context.Context, customerID, userID string) (User, error) {
	u, ok := f.users[customerID+"/"+userID]
	if !ok {
		return User{}, NotFound("user")
	}
	return u, nil
}

func (f *fakeCustomerUserStore) ResetTarget(ctx context.Context, partnerID, customerID, userID string) (Customer, Relationship, User, bool, PasswordResets, error) {
	c, r, err := f.customers.CustomerOfPartner(ctx, partnerID, customerID)
	if err != nil {
		return Customer{}, Relationship{}, User{}, false, PasswordResets{}, err
	}
	u, ok := f.users[customerID+"/"+userID]
	return c, r, u, ok, f.resets[userID], nil
}

func (f *fakeCustomerUserStore) CreateCustomerUser(_ context.Context, w CustomerUserWrite) error {
	f.created = append(f.created, w)
	return nil
}

func (f *fakeCustomerUserStore) UpdateCustomerUser(_ context.Context, u User, _ int, adminDelta int, _ Activity) error {
	f.updated, f.deltas = append(f.updated, u), append(f.deltas, adminDelta)
	return nil
}

func (f *fakeCustomerUserStore) DeleteCustomerUser(_ context.Context, u User, adminDelta int, _ Activity) error {
	f.deleted, f.deltas = append(f.deleted, u), append(f.deltas, adminDelta)
	return nil
}

func (f *fakeCustomerUserStore) ResetCustomerPassword(_ context.Context, w PasswordResetWrite) error {
	f.reset = append(f.reset, w)
	return nil
}

func (f *fakeCustomerUserStore) Activity(context.Context, string, ActivityQuery) (Page[Activity], error) {
	return Page[Activity]{}, nil
}
