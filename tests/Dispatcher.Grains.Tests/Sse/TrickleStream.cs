namespace Dispatcher.Grains.Tests.Sse;

/// <summary>
/// A read-only in-memory stream that hands out its bytes a few at a time (1, 2, … 7, 1, 2, … bytes per read), the way
/// a slow upstream's chunked body arrives: every line and field can be split across reads.
/// </summary>
internal sealed class TrickleStream(byte[] data, int maxPiece = 7) : Stream
{
    private int _position;
    private int _nextPiece = 1;

    public int Reads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Reads++;
        var piece = Math.Min(Math.Min(_nextPiece, buffer.Length), data.Length - _position);
        _nextPiece = (_nextPiece % maxPiece) + 1;
        data.AsSpan(_position, piece).CopyTo(buffer);
        _position += piece;
        return piece;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
