//! Blosc1 frames: header parsing, HSDS's `cbuffer_metainfo` frame check,
//! decoding (blosclz, lz4/lz4hc, zlib, zstd; byte shuffle) and a zlib +
//! byte-shuffle encoder matching what HSDS writes for gzip filters.
//!
//! Frame layout: a 16-byte header (version, versionlz, flags, typesize, then
//! little-endian u32 nbytes, blocksize, cbytes), then unless the frame is
//! memcpyed a table of u32 LE block start offsets, then per block one or
//! `typesize` streams, each prefixed by an i32 LE compressed size (a size
//! equal to the stream's uncompressed size means the stream is stored raw).

use super::deflate::{zlib_compress, zlib_decompress};
use super::shuffle::{shuffle, unshuffle};
use super::{read_u32_le, slice_at, CodecError};

/// Size of the Blosc1 header.
pub const HEADER_SIZE: usize = 16;
/// Flag: byte shuffle.
pub const FLAG_SHUFFLE: u8 = 0x1;
/// Flag: data stored uncompressed after the header.
pub const FLAG_MEMCPYED: u8 = 0x2;
/// Flag: bit shuffle.
pub const FLAG_BITSHUFFLE: u8 = 0x4;
/// Flag: blocks are not split into `typesize` streams.
pub const FLAG_DONT_SPLIT: u8 = 0x10;
/// Compressor code: BloscLZ.
pub const CODE_BLOSCLZ: u8 = 0;
/// Compressor code: LZ4 and LZ4HC.
pub const CODE_LZ4: u8 = 1;
/// Compressor code: Snappy.
pub const CODE_SNAPPY: u8 = 2;
/// Compressor code: zlib.
pub const CODE_ZLIB: u8 = 3;
/// Compressor code: Zstandard.
pub const CODE_ZSTD: u8 = 4;

const MAX_SPLITS: usize = 16;
const MIN_BUFFERSIZE: usize = 128;
const L1: usize = 32 * 1024;
const MAX_BUFFERSIZE: usize = i32::MAX as usize - HEADER_SIZE;
const BLOSCLZ_MAX_DISTANCE: usize = 8191;

/// The parsed 16-byte Blosc1 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BloscHeader {
    /// Blosc format version (byte 0).
    pub version: u8,
    /// Compressor format version (byte 1).
    pub versionlz: u8,
    /// Flags (byte 2).
    pub flags: u8,
    /// Item size in bytes (byte 3).
    pub typesize: u8,
    /// Uncompressed size.
    pub nbytes: u32,
    /// Block size.
    pub blocksize: u32,
    /// Total frame size including the header.
    pub cbytes: u32,
}

impl BloscHeader {
    /// Parses the header; fails only if fewer than 16 bytes are given.
    pub fn parse(data: &[u8]) -> Result<Self, CodecError> {
        let h = slice_at(data, 0, HEADER_SIZE, "blosc header")?;
        Ok(Self {
            version: h[0],
            versionlz: h[1],
            flags: h[2],
            typesize: h[3],
            nbytes: read_u32_le(h, 4, "blosc nbytes")?,
            blocksize: read_u32_le(h, 8, "blosc blocksize")?,
            cbytes: read_u32_le(h, 12, "blosc cbytes")?,
        })
    }

    /// Compressor code from flag bits 5–7.
    pub fn compressor_code(&self) -> u8 {
        self.flags >> 5
    }
}

/// HSDS's Blosc check (`cbuffer_metainfo(data)[0] > 0`): at least a full
/// header, a known format version (1 or 2) and a non-zero typesize.
pub fn is_blosc_frame(data: &[u8]) -> bool {
    match BloscHeader::parse(data) {
        Ok(h) => (1..=2).contains(&h.version) && h.typesize > 0,
        Err(_) => false,
    }
}

fn invalid(detail: impl Into<String>) -> CodecError {
    CodecError::Invalid { what: "blosc frame", detail: detail.into() }
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Decodes a Blosc1 frame, refusing frames whose `nbytes` exceeds `max_size`.
pub fn blosc_decompress(data: &[u8], max_size: usize) -> Result<Vec<u8>, CodecError> {
    let h = BloscHeader::parse(data)?;
    if !(1..=2).contains(&h.version) {
        return Err(CodecError::Unsupported(format!("blosc format version {}", h.version)));
    }
    if h.typesize == 0 {
        return Err(invalid("typesize is 0"));
    }
    let nbytes = to_usize(h.nbytes);
    let cbytes = to_usize(h.cbytes);
    if nbytes > max_size {
        return Err(CodecError::TooLarge { what: "blosc nbytes", limit: max_size });
    }
    if cbytes < HEADER_SIZE || cbytes > data.len() {
        return Err(invalid(format!("cbytes {cbytes} not within header size..={}", data.len())));
    }
    let frame = slice_at(data, 0, cbytes, "blosc frame")?;
    if nbytes == 0 {
        return Ok(Vec::new());
    }
    if h.flags & FLAG_MEMCPYED != 0 {
        return Ok(slice_at(frame, HEADER_SIZE, nbytes, "blosc memcpyed data")?.to_vec());
    }
    if h.flags & FLAG_BITSHUFFLE != 0 {
        return Err(CodecError::Unsupported("bitshuffle inside blosc frames".into()));
    }
    let code = h.compressor_code();
    if code == CODE_SNAPPY || code > CODE_ZSTD {
        return Err(CodecError::Unsupported(format!("blosc compressor code {code}")));
    }
    let blocksize = to_usize(h.blocksize);
    if blocksize == 0 {
        return Err(invalid("blocksize is 0"));
    }
    let typesize = usize::from(h.typesize);
    let nblocks = nbytes.div_ceil(blocksize);
    let leftover = nbytes % blocksize;
    let table_end = nblocks
        .checked_mul(4)
        .and_then(|t| t.checked_add(HEADER_SIZE))
        .ok_or_else(|| invalid("block table size overflows"))?;
    slice_at(frame, HEADER_SIZE, table_end - HEADER_SIZE, "blosc block table")?;
    let mut out = Vec::with_capacity(nbytes);
    for j in 0..nblocks {
        let is_leftover = j + 1 == nblocks && leftover > 0;
        let bsize = if is_leftover { leftover } else { blocksize };
        let start = to_usize(read_u32_le(frame, HEADER_SIZE + 4 * j, "blosc block start")?);
        if start < table_end || start >= cbytes {
            return Err(invalid(format!("block {j} starts at {start}, outside data")));
        }
        let block = decode_block(frame, start, bsize, typesize, h.flags, is_leftover, code)?;
        out.extend_from_slice(&block);
    }
    Ok(out)
}

fn decode_block(
    frame: &[u8],
    mut pos: usize,
    bsize: usize,
    typesize: usize,
    flags: u8,
    is_leftover: bool,
    code: u8,
) -> Result<Vec<u8>, CodecError> {
    let dont_split = flags & FLAG_DONT_SPLIT != 0;
    let nsplits = if !dont_split
        && typesize <= MAX_SPLITS
        && bsize / typesize >= MIN_BUFFERSIZE
        && !is_leftover
    {
        typesize
    } else {
        1
    };
    if !bsize.is_multiple_of(nsplits) {
        return Err(invalid(format!("block size {bsize} not a multiple of {nsplits} streams")));
    }
    let neblock = bsize / nsplits;
    let mut tmp = Vec::with_capacity(bsize);
    for _ in 0..nsplits {
        let raw = read_u32_le(frame, pos, "blosc stream size")?;
        let csize = usize::try_from(i32::from_le_bytes(raw.to_le_bytes()))
            .map_err(|_| invalid("negative stream size"))?;
        pos += 4;
        let src = slice_at(frame, pos, csize, "blosc stream")?;
        if csize == neblock {
            tmp.extend_from_slice(src);
        } else {
            let dec = decode_stream(src, neblock, code)?;
            if dec.len() != neblock {
                return Err(invalid(format!(
                    "stream decoded to {} bytes, expected {neblock}",
                    dec.len()
                )));
            }
            tmp.extend_from_slice(&dec);
        }
        pos += csize;
    }
    if flags & FLAG_SHUFFLE != 0 && typesize > 1 {
        Ok(unshuffle(&tmp, typesize))
    } else {
        Ok(tmp)
    }
}

fn decode_stream(src: &[u8], neblock: usize, code: u8) -> Result<Vec<u8>, CodecError> {
    match code {
        CODE_BLOSCLZ => blosclz_decompress(src, neblock),
        CODE_LZ4 => lz4_flex::block::decompress(src, neblock)
            .map_err(|e| CodecError::Compression { codec: "lz4", detail: e.to_string() }),
        CODE_ZLIB => zlib_decompress(src, neblock),
        CODE_ZSTD => zstd::bulk::decompress(src, neblock)
            .map_err(|e| CodecError::Compression { codec: "zstd", detail: e.to_string() }),
        other => Err(CodecError::Unsupported(format!("blosc compressor code {other}"))),
    }
}

/// Decodes one BloscLZ stream that must expand to exactly `out_len` bytes.
pub fn blosclz_decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, CodecError> {
    let bad = |d: &str| CodecError::Invalid { what: "blosclz stream", detail: d.to_string() };
    let byte = |i: usize| input.get(i).copied().map(usize::from).ok_or_else(|| bad("truncated"));
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ctrl = byte(0)? & 31;
    let mut ip = 1usize;
    loop {
        if ctrl >= 32 {
            let mut len = (ctrl >> 5) - 1;
            let ofs = (ctrl & 31) << 8;
            if len == 6 {
                loop {
                    let c = byte(ip)?;
                    ip += 1;
                    len += c;
                    if c != 255 {
                        break;
                    }
                }
            }
            let c = byte(ip)?;
            ip += 1;
            let mut dist = ofs + c + 1;
            if c == 255 && ofs == 31 << 8 {
                dist = ((byte(ip)? << 8) | byte(ip + 1)?) + BLOSCLZ_MAX_DISTANCE + 1;
                ip += 2;
            }
            len += 3;
            if out.len() + len > out_len {
                return Err(bad("match overruns output"));
            }
            if dist > out.len() {
                return Err(bad("match distance before start"));
            }
            let from = out.len() - dist;
            for k in 0..len {
                let b = out.get(from + k).copied().ok_or_else(|| bad("match"))?;
                out.push(b);
            }
        } else {
            let run = ctrl + 1;
            if out.len() + run > out_len {
                return Err(bad("literal run overruns output"));
            }
            out.extend_from_slice(slice_at(input, ip, run, "blosclz literal run")?);
            ip += run;
        }
        match input.get(ip) {
            Some(&c) => {
                ctrl = usize::from(c);
                ip += 1;
            }
            None => break,
        }
    }
    if out.len() != out_len {
        return Err(bad("decoded size differs from expected"));
    }
    Ok(out)
}

/// c-blosc's block size choice for zlib (a high-compression-ratio codec).
fn zlib_blocksize(level: u32, typesize: usize, nbytes: usize) -> usize {
    if nbytes < typesize {
        return 1;
    }
    let mut bs = nbytes;
    if nbytes >= L1 {
        bs = L1 * 2;
        bs = match level {
            0 => bs / 4,
            1..=3 => bs / 2,
            4..=5 => bs,
            6 => bs * 2,
            7..=8 => bs * 4,
            _ => bs * 16,
        };
    }
    bs = bs.min(nbytes);
    if bs > typesize {
        bs = bs / typesize * typesize;
    }
    bs
}

/// Encodes `data` as a Blosc1 frame with the zlib compressor at `level`
/// (0–9), optionally byte-shuffled by `typesize` (values over 255 are
/// treated as 1, as c-blosc does).
pub fn blosc_compress_zlib(
    data: &[u8],
    typesize: usize,
    level: u32,
    byte_shuffle: bool,
) -> Result<Vec<u8>, CodecError> {
    blosc_compress(data, typesize, CODE_ZLIB, level, byte_shuffle)
}

/// Compresses one block stream with the Blosc compressor `code` (LZ4, zlib or Zstandard).
fn encode_stream(src: &[u8], code: u8, level: u32) -> Result<Vec<u8>, CodecError> {
    match code {
        CODE_LZ4 => Ok(lz4_flex::block::compress(src)),
        CODE_ZLIB => zlib_compress(src, level),
        CODE_ZSTD => {
            // c-blosc maps clevel 1..8 to zstd level 2*clevel-1 and 9 to the maximum (22).
            let zlevel = if level >= 9 { 22 } else { (2 * level).saturating_sub(1).max(1) };
            zstd::bulk::compress(src, zlevel as i32)
                .map_err(|e| CodecError::Compression { codec: "zstd", detail: e.to_string() })
        }
        other => {
            Err(CodecError::Unsupported(format!("blosc encoding with compressor code {other}")))
        }
    }
}

/// Encodes `data` as a Blosc1 frame with compressor `code` ([`CODE_LZ4`], [`CODE_ZLIB`] or
/// [`CODE_ZSTD`]; BloscLZ and Snappy cannot be encoded) at `level` (0–9), optionally
/// byte-shuffled by `typesize` (values over 255 are treated as 1, as c-blosc does). Any Blosc1
/// reader (c-blosc, numcodecs, HSDS) decodes the frame.
pub fn blosc_compress(
    data: &[u8],
    typesize: usize,
    code: u8,
    level: u32,
    byte_shuffle: bool,
) -> Result<Vec<u8>, CodecError> {
    if !matches!(code, CODE_LZ4 | CODE_ZLIB | CODE_ZSTD) {
        return Err(CodecError::Unsupported(format!("blosc encoding with compressor code {code}")));
    }
    if level > 9 {
        return Err(CodecError::Invalid {
            what: "blosc level",
            detail: format!("{level} is not in 0..=9"),
        });
    }
    if data.len() > MAX_BUFFERSIZE {
        return Err(CodecError::TooLarge { what: "blosc input", limit: MAX_BUFFERSIZE });
    }
    let typesize = if (1..=255).contains(&typesize) { typesize } else { 1 };
    let nbytes = data.len();
    let blocksize = zlib_blocksize(level, typesize, nbytes).max(1);
    let nblocks = nbytes.div_ceil(blocksize);
    let mut flags = FLAG_DONT_SPLIT | (code << 5);
    if byte_shuffle {
        flags |= FLAG_SHUFFLE;
    }
    let mut memcpyed = level == 0 || nbytes < MIN_BUFFERSIZE;
    let mut body = Vec::new();
    if !memcpyed {
        let table = HEADER_SIZE + 4 * nblocks;
        let mut starts = Vec::with_capacity(nblocks);
        let mut blocks = Vec::new();
        for block in data.chunks(blocksize) {
            starts.push(table + blocks.len());
            let shuffled;
            let src = if byte_shuffle && typesize > 1 {
                shuffled = shuffle(block, typesize);
                &shuffled[..]
            } else {
                block
            };
            let c = encode_stream(src, code, level)?;
            let stream: &[u8] = if c.len() >= src.len() { src } else { &c };
            blocks.extend_from_slice(&(stream.len() as u32).to_le_bytes());
            blocks.extend_from_slice(stream);
            if table + blocks.len() > nbytes + HEADER_SIZE {
                memcpyed = true;
                break;
            }
        }
        if !memcpyed {
            for s in starts {
                body.extend_from_slice(&(s as u32).to_le_bytes());
            }
            body.extend_from_slice(&blocks);
        }
    }
    if memcpyed {
        flags |= FLAG_MEMCPYED;
        body = data.to_vec();
    }
    let cbytes = HEADER_SIZE + body.len();
    let mut out = Vec::with_capacity(cbytes);
    out.extend_from_slice(&[2, 1, flags, typesize as u8]);
    out.extend_from_slice(&(nbytes as u32).to_le_bytes());
    out.extend_from_slice(&(blocksize as u32).to_le_bytes());
    out.extend_from_slice(&(cbytes as u32).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(flags: u8, typesize: u8, nbytes: u32, blocksize: u32, cbytes: u32) -> Vec<u8> {
        let mut h = vec![2, 1, flags, typesize];
        h.extend_from_slice(&nbytes.to_le_bytes());
        h.extend_from_slice(&blocksize.to_le_bytes());
        h.extend_from_slice(&cbytes.to_le_bytes());
        h
    }

    /// One block, one stream, compressed with `code`.
    fn single_stream_frame(
        code: u8,
        extra_flags: u8,
        typesize: u8,
        raw: &[u8],
        stream: &[u8],
    ) -> Vec<u8> {
        let n = raw.len() as u32;
        let cbytes = (16 + 4 + 4 + stream.len()) as u32;
        let mut f = header(FLAG_DONT_SPLIT | extra_flags | (code << 5), typesize, n, n, cbytes);
        f.extend_from_slice(&20u32.to_le_bytes());
        f.extend_from_slice(&(stream.len() as u32).to_le_bytes());
        f.extend_from_slice(stream);
        f
    }

    fn sample(n: usize) -> Vec<u8> {
        (0..n as u32).map(|i| (i / 3 % 13) as u8).collect()
    }

    #[test]
    fn header_parse_and_detection() {
        let f = header(0x63, 8, 1, 2, 3);
        let h = BloscHeader::parse(&f).unwrap();
        assert_eq!(
            (h.version, h.flags, h.typesize, h.nbytes, h.blocksize, h.cbytes),
            (2, 0x63, 8, 1, 2, 3)
        );
        assert_eq!(h.compressor_code(), CODE_ZLIB);
        assert!(is_blosc_frame(&f));
        assert!(!is_blosc_frame(&f[..15]));
        assert!(!is_blosc_frame(&header(0, 0, 1, 1, 16)));
        // a zlib stream is not a blosc frame
        assert!(!is_blosc_frame(&zlib_compress(&[0u8; 64], 6).unwrap()));
    }

    #[test]
    fn memcpyed_frame() {
        let mut f = header(FLAG_MEMCPYED, 1, 3, 3, 19);
        f.extend_from_slice(&[9, 8, 7]);
        assert_eq!(blosc_decompress(&f, 100).unwrap(), vec![9, 8, 7]);
        f.pop();
        assert!(blosc_decompress(&f, 100).is_err());
    }

    #[test]
    fn encoder_round_trips() {
        for &(n, ts, lvl, sh) in &[
            (0usize, 4usize, 5u32, true),
            (10, 4, 5, true),
            (1000, 4, 5, true),
            (1003, 8, 9, true),
            (200_000, 8, 5, true),
            (200_001, 3, 1, false),
            (5000, 4, 0, true),
            (5000, 300, 6, true),
        ] {
            let data = sample(n);
            let f = blosc_compress_zlib(&data, ts, lvl, sh).unwrap();
            assert!(is_blosc_frame(&f));
            let h = BloscHeader::parse(&f).unwrap();
            assert_eq!(h.cbytes as usize, f.len());
            assert_eq!(h.compressor_code(), CODE_ZLIB);
            assert_eq!(blosc_decompress(&f, n).unwrap(), data, "n={n} ts={ts}");
        }
    }

    #[test]
    fn encoder_layout() {
        let data = sample(4096);
        let f = blosc_compress_zlib(&data, 4, 5, true).unwrap();
        assert_eq!(&f[..4], &[2, 1, FLAG_SHUFFLE | FLAG_DONT_SPLIT | (CODE_ZLIB << 5), 4]);
        assert_eq!(u32::from_le_bytes(f[8..12].try_into().unwrap()), 4096);
        assert_eq!(u32::from_le_bytes(f[16..20].try_into().unwrap()), 20);
        let csize = u32::from_le_bytes(f[20..24].try_into().unwrap()) as usize;
        assert_eq!(24 + csize, f.len());
        let inner = zlib_decompress(&f[24..], 4096).unwrap();
        assert_eq!(inner, shuffle(&data, 4));
        // incompressible random-ish data falls back to memcpy
        let noise: Vec<u8> =
            (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        let f = blosc_compress_zlib(&noise, 1, 9, false).unwrap();
        assert_eq!(blosc_decompress(&f, 4096).unwrap(), noise);
        // too small: memcpyed
        let f = blosc_compress_zlib(&[1, 2, 3], 1, 5, true).unwrap();
        assert_ne!(f[2] & FLAG_MEMCPYED, 0);
        assert_eq!(f.len(), 19);
    }

    #[test]
    fn lz4_and_zstd_streams() {
        let data = sample(3000);
        let s = lz4_flex::block::compress(&shuffle(&data, 4));
        let f = single_stream_frame(CODE_LZ4, FLAG_SHUFFLE, 4, &data, &s);
        assert_eq!(blosc_decompress(&f, 3000).unwrap(), data);
        let s = zstd::bulk::compress(&data, 3).unwrap();
        let f = single_stream_frame(CODE_ZSTD, 0, 1, &data, &s);
        assert_eq!(blosc_decompress(&f, 3000).unwrap(), data);
    }

    #[test]
    fn split_streams_stored_raw() {
        // typesize 2, blocksize 256 -> 2 streams of 128 bytes, no dont_split flag
        let data: Vec<u8> = (0..256u32).map(|i| i as u8).collect();
        let sh = shuffle(&data, 2);
        let mut f = header(FLAG_SHUFFLE | (CODE_BLOSCLZ << 5), 2, 256, 256, 16 + 4 + 2 * (4 + 128));
        f.extend_from_slice(&20u32.to_le_bytes());
        for s in sh.chunks(128) {
            f.extend_from_slice(&128u32.to_le_bytes());
            f.extend_from_slice(s);
        }
        assert_eq!(blosc_decompress(&f, 256).unwrap(), data);
    }

    #[test]
    fn blosclz_hand_stream() {
        // literal "abc", then match len 4 distance 3, then literal "Z"
        let s = [0x02, b'a', b'b', b'c', 0x40, 0x02, 0x00, b'Z'];
        assert_eq!(blosclz_decompress(&s, 8).unwrap(), b"abcabcaZ".to_vec());
        // long match via length extension: ctrl 0xE0 (len 6 + ext 10 + 3 = 19), distance 1
        let s = [0x00, b'x', 0xE0, 10, 0x00];
        assert_eq!(blosclz_decompress(&s, 20).unwrap(), vec![b'x'; 20]);
        let f = single_stream_frame(CODE_BLOSCLZ, 0, 1, &[b'x'; 20], &s);
        assert_eq!(blosc_decompress(&f, 20).unwrap(), vec![b'x'; 20]);
        // malformed: distance before start, overrun, truncated, wrong size
        assert!(blosclz_decompress(&[0x00, b'x', 0x40, 0x05], 10).is_err());
        assert!(blosclz_decompress(&[0x00, b'x', 0x40, 0x00], 3).is_err());
        assert!(blosclz_decompress(&[0x05, b'x'], 6).is_err());
        assert!(blosclz_decompress(&[0x00, b'x'], 2).is_err());
        assert!(blosclz_decompress(&[], 0).is_err());
    }

    #[test]
    fn malformed_frames() {
        let data = sample(1000);
        let good = blosc_compress_zlib(&data, 4, 5, true).unwrap();
        // truncated header / frame shorter than cbytes
        assert!(matches!(blosc_decompress(&good[..10], 1000), Err(CodecError::Truncated { .. })));
        assert!(blosc_decompress(&good[..good.len() - 1], 1000).is_err());
        // nbytes over the limit
        assert!(matches!(blosc_decompress(&good, 999), Err(CodecError::TooLarge { .. })));
        // block start past the end
        let mut f = good.clone();
        f[16..20].copy_from_slice(&10_000u32.to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        // block start inside the header
        f[16..20].copy_from_slice(&4u32.to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        // lying stream size
        let mut f = good.clone();
        f[20..24].copy_from_slice(&5000u32.to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        f[20..24].copy_from_slice(&(-3i32).to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        // lying nbytes: stream decodes to wrong size
        let mut f = good.clone();
        f[4..8].copy_from_slice(&996u32.to_le_bytes());
        f[8..12].copy_from_slice(&996u32.to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        // zero blocksize, zero typesize, bad version, snappy, bitshuffle
        let mut f = good.clone();
        f[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert!(blosc_decompress(&f, 1000).is_err());
        let mut f = good.clone();
        f[3] = 0;
        assert!(blosc_decompress(&f, 1000).is_err());
        let mut f = good.clone();
        f[0] = 9;
        assert!(matches!(blosc_decompress(&f, 1000), Err(CodecError::Unsupported(_))));
        let mut f = good.clone();
        f[2] = (f[2] & 0x1f) | (CODE_SNAPPY << 5);
        assert!(matches!(blosc_decompress(&f, 1000), Err(CodecError::Unsupported(_))));
        let mut f = good.clone();
        f[2] |= FLAG_BITSHUFFLE;
        assert!(matches!(blosc_decompress(&f, 1000), Err(CodecError::Unsupported(_))));
        // huge block table
        let f = header(CODE_ZLIB << 5, 1, u32::MAX, 1, 16);
        assert!(blosc_decompress(&f, usize::MAX).is_err());
    }

    #[test]
    fn mutations_never_panic() {
        let data = sample(70_000);
        let good = blosc_compress_zlib(&data, 4, 5, true).unwrap();
        for i in 0..good.len().min(200) {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut f = good.clone();
                f[i] = v;
                let _ = blosc_decompress(&f, 1 << 20);
            }
        }
        for cut in 0..good.len().min(300) {
            let _ = blosc_decompress(&good[..cut], 1 << 20);
        }
    }

    #[test]
    fn blosclz_far_distance_and_lz4_mutations() {
        // 8320 literal bytes in runs of 32, then a far match: ctrl 0x3F, code 255,
        // 16-bit offset 0 -> distance 8192, length 3
        let lit: Vec<u8> = (0..8320u32).map(|i| (i % 251) as u8).collect();
        let mut s = Vec::new();
        for run in lit.chunks(32) {
            s.push(31);
            s.extend_from_slice(run);
        }
        s.extend_from_slice(&[0x3F, 0xFF, 0x00, 0x00]);
        let out = blosclz_decompress(&s, 8323).unwrap();
        assert_eq!(&out[..8320], &lit[..]);
        assert_eq!(&out[8320..], &lit[8320 - 8192..8320 - 8192 + 3]);
        let data = sample(3000);
        let c = lz4_flex::block::compress(&data);
        let f = single_stream_frame(CODE_LZ4, 0, 1, &data, &c);
        let g = single_stream_frame(CODE_BLOSCLZ, 0, 1, &out, &s);
        for frame in [f, g] {
            for i in 16..frame.len().min(400) {
                let mut m = frame.clone();
                m[i] ^= 0xa5;
                let _ = blosc_decompress(&m, 1 << 20);
            }
        }
    }

    #[test]
    fn lz4_and_zstd_frames_round_trip() {
        let raw: Vec<u8> = (0..200_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect();
        for code in [CODE_LZ4, CODE_ZSTD, CODE_ZLIB] {
            for shuffle in [false, true] {
                let frame = blosc_compress(&raw, 4, code, 5, shuffle).unwrap();
                assert!(frame.len() < raw.len() / 4, "code {code} does not compress");
                assert_eq!(BloscHeader::parse(&frame).unwrap().compressor_code(), code);
                assert_eq!(blosc_decompress(&frame, raw.len()).unwrap(), raw);
            }
        }
        assert!(blosc_compress(&raw, 4, CODE_BLOSCLZ, 5, false).is_err());
    }
}
