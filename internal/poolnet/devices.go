package poolnet

import (
	"strconv"
	"strings"
)

// CompareDevices orders device names as people count them: eth2 before
// eth10, and NICs before bond masters.
func CompareDevices(a, b string) int {
	pa, na := splitDevice(a)
	pb, nb := splitDevice(b)
	if pa != pb {
		if pa == "eth" || pb == "eth" {
			if pa == "eth" {
				return -1
			}
			return 1
		}
		return strings.Compare(pa, pb)
	}
	if na != nb {
		return na - nb
	}
	return strings.Compare(a, b)
}

// splitDevice splits "eth10" into "eth" and 10; a name without a number
// has -1.
func splitDevice(device string) (string, int) {
	i := len(device)
	for i > 0 && device[i-1] >= '0' && device[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(device[i:])
	if err != nil {
		return device, -1
	}
	return device[:i], n
}
