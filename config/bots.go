package config

import (
	"errors"

	"github.com/quirehq/quire/edge/bot"
)

// validateBots checks the bots section (claim BOT-1) with the bot
// package's own rules, reporting each problem under its key.
func (c *Config) validateBots(p *problems) {
	addAll(p, c.Bots.Validate(), func(err error) (string, string, bool) {
		var ce *bot.ConfigError
		if errors.As(err, &ce) {
			return ce.Key, ce.Msg, true
		}
		return "", "", false
	})
}

// addAll reports each error joined in err under the key split returns; an
// error split does not know goes under section as it is.
func addAll(p *problems, err error, split func(error) (key, msg string, ok bool)) {
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		if key, msg, ok := split(e); ok {
			p.add(key, "%s", msg)
		} else {
			p.add("", "%s", e.Error())
		}
	}
}
