package bot

// supplement holds our own signatures for security scanners that the
// vendored data lacks (checked by TestSupplementNotVendored: an entry that
// the vendored data comes to cover must be removed here). They keep the
// vendored record shape so that one loader and one test path serve both.
// Scanners that send a browser's User-Agent by default (dirsearch, ZAP,
// Burp) cannot be told apart by signature and are left to the shield.
var supplement = []entry{
	{
		Pattern:   `gobuster\/`,
		URL:       "https://github.com/OJ/gobuster",
		Instances: []string{"gobuster/3.6"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `feroxbuster\/`,
		URL:       "https://github.com/epi052/feroxbuster",
		Instances: []string{"feroxbuster/2.10.1"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `Fuzz Faster U Fool`,
		URL:       "https://github.com/ffuf/ffuf",
		Instances: []string{"Fuzz Faster U Fool v2.1.0-dev"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `Wfuzz\/`,
		URL:       "https://github.com/xmendez/wfuzz",
		Instances: []string{"Wfuzz/3.1.0"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `Arachni\/`,
		URL:       "https://github.com/Arachni/arachni",
		Instances: []string{"Arachni/v1.5.1"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `projectdiscovery\/nuclei`,
		URL:       "https://github.com/projectdiscovery/nuclei",
		Instances: []string{"Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `\(Hydra\)`,
		URL:       "https://github.com/vanhauser-thc/thc-hydra",
		Instances: []string{"Mozilla/5.0 (Hydra)"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `commix\/`,
		URL:       "https://github.com/commixproject/commix",
		Instances: []string{"commix/v3.9-stable (https://commixproject.com)"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `Jorgee`,
		Instances: []string{"Mozilla/5.0 Jorgee"},
		Tags:      []string{"scanner"},
	},
	{
		Pattern:   `Morfeus Fucking Scanner`,
		Instances: []string{"Morfeus Fucking Scanner"},
		Tags:      []string{"scanner"},
	},
}
