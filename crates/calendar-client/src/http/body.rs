//! Reading a response body with a hard cap: chunk by chunk, stopping as soon as the total
//! would pass it, so a hostile or broken server cannot make us allocate without bound.
//! (reqwest is built without decompression here, so the bytes counted are the bytes kept.)

/// A body read to its end, or the news that it was longer than the cap.
pub(crate) enum Capped {
    Complete(Vec<u8>),
    Overflow,
}

pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<Capped, reqwest::Error> {
    // A declared length over the cap fails before anything is read.
    if response
        .content_length()
        .is_some_and(|len| len > cap as u64)
    {
        return Ok(Capped::Overflow);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > cap - body.len() {
            return Ok(Capped::Overflow);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Capped::Complete(body))
}
