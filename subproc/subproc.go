package subproc

import (
	"net"
	"strconv"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
)

// List returns the sub-processors cfg enables, in a stable order: AI
// providers in configuration order, then SMTP, S3, PostgreSQL, Redis and
// the breached-password API. It never returns nil.
func List(cfg *config.Config) []quire.SubProcessor {
	remote, _ := build(cfg)
	return remote
}

// Local names the components cfg enables that run on this machine and are
// therefore not sub-processors, such as "SQLite database" or "Redis on
// loopback (127.0.0.1:6379)".
func Local(cfg *config.Config) []string {
	_, local := build(cfg)
	return local
}

// build sorts every enabled component into remote sub-processors and local
// components.
func build(cfg *config.Config) (remote []quire.SubProcessor, local []string) {
	remote = []quire.SubProcessor{}
	add := func(s quire.SubProcessor, loopback bool) {
		if loopback {
			local = append(local, s.Name+" on loopback ("+s.Host+")")
			return
		}
		remote = append(remote, s)
	}
	for _, pr := range cfg.AI.Providers {
		s, loopback := aiProvider(cfg, pr)
		add(s, loopback)
	}
	if s := cfg.Mail.SMTP; s.Host != "" {
		add(quire.SubProcessor{Kind: quire.SubProcessorSMTP, Name: "SMTP relay", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
			Purpose: quire.PurposeSMTP, DataHandling: quire.HandlingSMTP, Region: region(s.Region, s.Host), Attestation: s.Attestation}, isLoopback(s.Host))
	} else {
		local = append(local, "email outbox directory (development: no email leaves this machine)")
	}
	if f := cfg.Workspace.Files; f.Storage == config.StorageS3 {
		add(s3(f.S3), isLoopback(hostOnly(f.S3.Endpoint)))
	} else {
		local = append(local, "file storage on local disk")
	}
	local = append(local, database(cfg, add)...)
	if raw := cfg.RateLimit.RedisURL.Reveal(); raw != "" {
		host, loopback := urlHost(raw)
		add(quire.SubProcessor{Kind: quire.SubProcessorRedis, Name: "Redis", Host: host, Purpose: quire.PurposeRedis,
			DataHandling: quire.HandlingRedis, Region: region("", host)}, loopback)
	}
	if b := cfg.Auth.Breach; b.Online() {
		host, loopback := urlHost(b.RangeURL)
		add(quire.SubProcessor{Kind: quire.SubProcessorBreach, Name: "breached-password range API", Host: host,
			Purpose: quire.PurposeBreach, DataHandling: quire.HandlingBreach, Region: region("", host)}, loopback)
	}
	return remote, local
}

func s3(c config.S3) quire.SubProcessor {
	return quire.SubProcessor{Kind: quire.SubProcessorS3, Name: "S3 file storage", Host: c.Endpoint, Purpose: quire.PurposeS3,
		DataHandling: quire.HandlingS3, Region: region(c.Region, hostOnly(c.Endpoint)), Attestation: c.Attestation}
}

// database adds PostgreSQL when it is remote; it returns the local
// database components.
func database(cfg *config.Config, add func(quire.SubProcessor, bool)) []string {
	if cfg.Database.Driver != config.DriverPostgres {
		return []string{"SQLite database"}
	}
	seen := map[string]bool{}
	for _, raw := range []string{cfg.Database.URL.Reveal(), cfg.Database.OwnerURL.Reveal()} {
		if raw == "" {
			continue
		}
		host, loopback := postgresHost(raw)
		if seen[host] {
			continue
		}
		seen[host] = true
		add(quire.SubProcessor{Kind: quire.SubProcessorPostgres, Name: "PostgreSQL", Host: host, Purpose: quire.PurposePG,
			DataHandling: quire.HandlingPG, Region: region("", host)}, loopback)
	}
	return nil
}
