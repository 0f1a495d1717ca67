//! Writes a 2-D `float32` matrix as a NumPy `.npy` file (format version 1.0), the training matrix handed to
//! `models/train.py` (`numpy.load`).

use std::io::{self, Write};

/// Writes `rows` (each of length `cols`) as a C-ordered little-endian `<f4` array of shape `(rows, cols)`.
///
/// # Errors
/// I/O errors of `w`.
pub fn write_f32_matrix<W: Write>(mut w: W, cols: usize, rows: &[Vec<f32>]) -> io::Result<()> {
    debug_assert!(rows.iter().all(|r| r.len() == cols));
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
        rows.len(),
        cols
    );
    // Magic (6) + version (2) + header length (2) + header + '\n' must be a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    w.write_all(b"\x93NUMPY\x01\x00")?;
    let len = u16::try_from(header.len()).map_err(|_| io::Error::other("npy header too long"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(header.as_bytes())?;
    let mut buf = Vec::with_capacity(cols * 4 * 1024);
    for row in rows {
        for x in row {
            buf.extend_from_slice(&x.to_le_bytes());
        }
        if buf.len() >= cols * 4 * 1024 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_is_padded_to_64_and_data_follows() {
        let mut out = Vec::new();
        super::write_f32_matrix(&mut out, 2, &[vec![1.0, 2.0], vec![3.0, -0.5]]).expect("write");
        assert_eq!(&out[..8], b"\x93NUMPY\x01\x00");
        let hlen = usize::from(u16::from_le_bytes([out[8], out[9]]));
        assert_eq!((10 + hlen) % 64, 0);
        let header = std::str::from_utf8(&out[10..10 + hlen]).expect("ascii");
        assert!(header.contains("'shape': (2, 2)"), "{header}");
        assert!(header.ends_with('\n'));
        let data = &out[10 + hlen..];
        assert_eq!(data.len(), 16);
        assert_eq!(
            f32::from_le_bytes(data[12..16].try_into().expect("4 bytes")),
            -0.5
        );
    }
}
