package weights

import "io"

// counter counts the bytes read from r (Read) or written to w (Write)
// through it, in n: the legacy .pth reader's position under its bufio
// reader, and the zip writer's offsets.
type counter struct {
	r io.Reader
	w io.Writer
	n int64
}

func (c *counter) Read(p []byte) (int, error) { return c.count(c.r.Read(p)) }

func (c *counter) Write(p []byte) (int, error) { return c.count(c.w.Write(p)) }

// count adds n to c.n and returns n and err.
func (c *counter) count(n int, err error) (int, error) {
	c.n += int64(n)
	return n, err
}
