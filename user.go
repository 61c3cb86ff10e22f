package quire

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// User is a person with an account. Email and Name are personal data: stores
// keep them encrypted and find users by a keyed blind index of the email.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Validate reports whether the user's fields are acceptable to store.
func (u *User) Validate() error {
	if u.Email == "" {
		return Errorf(EINVALID, "Email is required.")
	}
	if len(u.Email) > 320 || !strings.Contains(u.Email, "@") || !utf8.ValidString(u.Email) {
		return Errorf(EINVALID, "Email is not a valid address.")
	}
	if len(u.Name) > 200 || !utf8.ValidString(u.Name) {
		return Errorf(EINVALID, "Name must be valid text of at most 200 bytes.")
	}
	return nil
}

// UserUpdate holds the fields of a user that may change; nil means unchanged.
type UserUpdate struct {
	Email *string
	Name  *string
}

// UserService stores users. Email lookups are exact matches on the address
// as given: callers normalise addresses before they call.
type UserService interface {
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
	DeleteUser(ctx context.Context, id string) error
}
