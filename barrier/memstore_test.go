package barrier

import (
	"context"
	"sync"
)

// memKeyStore is an in-memory KeyStore for the barrier's own unit tests; the
// SQLite and PostgreSQL key stores are exercised by storetest.
type memKeyStore struct {
	mu      sync.Mutex
	keyring map[uint32]KeyringKey
	data    map[Scope]map[uint32]DataKey
}

func newMemKeyStore() *memKeyStore {
	return &memKeyStore{keyring: map[uint32]KeyringKey{}, data: map[Scope]map[uint32]DataKey{}}
}

func (m *memKeyStore) LoadKeyring(context.Context) ([]KeyringKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []KeyringKey
	for _, k := range m.keyring {
		out = append(out, k)
	}
	return out, nil
}

func (m *memKeyStore) InsertKeyringKey(_ context.Context, k KeyringKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keyring[k.Version]; ok {
		return ErrExists
	}
	m.keyring[k.Version] = k
	return nil
}

func (m *memKeyStore) DeleteKeyringKey(_ context.Context, v uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keyring, v)
	return nil
}

func (m *memKeyStore) LoadDataKeys(_ context.Context, s Scope) ([]DataKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []DataKey
	for _, k := range m.data[s] {
		out = append(out, k)
	}
	return out, nil
}

func (m *memKeyStore) ListDataKeys(context.Context) ([]DataKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []DataKey
	for _, ks := range m.data {
		for _, k := range ks {
			out = append(out, k)
		}
	}
	return out, nil
}

func (m *memKeyStore) InsertDataKey(_ context.Context, k DataKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data[k.Scope] == nil {
		m.data[k.Scope] = map[uint32]DataKey{}
	}
	if _, ok := m.data[k.Scope][k.Version]; ok {
		return ErrExists
	}
	m.data[k.Scope][k.Version] = k
	return nil
}

func (m *memKeyStore) UpdateDataKeyWrap(_ context.Context, s Scope, v, kv uint32, w []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.data[s][v]
	k.KEKVersion, k.Wrapped = kv, w
	m.data[s][v] = k
	return nil
}

func (m *memKeyStore) ReserveOps(_ context.Context, s Scope, v uint32, n int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.data[s][v]
	k.Ops += n
	m.data[s][v] = k
	return k.Ops, nil
}

func (m *memKeyStore) DeleteDataKey(_ context.Context, s Scope, v uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data[s], v)
	return nil
}

func (m *memKeyStore) DeleteDataKeys(_ context.Context, s Scope) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, s)
	return nil
}
