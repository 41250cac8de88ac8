"""java.util.Random, String.hashCode, Collections.shuffle and mlm4j's documented SplitMix64 mix, re-implemented."""
M64 = (1 << 64) - 1

def to_signed64(x):
    x &= M64
    return x - (1 << 64) if x >> 63 else x

class JavaRandom:
    MULT = 0x5DEECE66D
    MASK = (1 << 48) - 1
    def __init__(self, seed):
        self.s = (seed ^ self.MULT) & self.MASK
    def next(self, bits):
        self.s = (self.s * self.MULT + 0xB) & self.MASK
        r = self.s >> (48 - bits)
        r &= (1 << 32) - 1
        return r - (1 << 32) if r >> 31 else r
    def next_int(self, bound):
        if bound & (-bound) == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if ((bits - val + (bound - 1)) & 0xFFFFFFFF) >> 31 == 0:   # no int overflow
                return val
    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))

def shuffle(lst, rnd):
    for i in range(len(lst), 1, -1):
        j = rnd.next_int(i)
        lst[i - 1], lst[j] = lst[j], lst[i - 1]

def string_hash(s):
    h = 0
    for ch in s.encode('utf-16-le').decode('utf-16-le'):
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >> 31 else h

def mix(seed, key):
    z = (seed * 0x9E3779B97F4A7C15 + key) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return to_signed64(z ^ (z >> 31))

def key(doc_id, index):
    return to_signed64(((string_hash(doc_id) & M64) << 32) ^ index)
