using System.Collections;
using System.Data.Common;

namespace Fleet.MySql;

/// <summary>The parameters of a <see cref="MySqlCommand"/>, looked up by name without regard to case or prefix.</summary>
public sealed class MySqlParameterCollection : DbParameterCollection, IReadOnlyList<MySqlParameter>
{
    private readonly List<MySqlParameter> _items = [];

    internal MySqlParameterCollection()
    {
    }

    /// <inheritdoc />
    public override int Count => _items.Count;

    /// <inheritdoc />
    public override object SyncRoot => _items;

    /// <summary>The parameter at <paramref name="index"/>.</summary>
    public new MySqlParameter this[int index]
    {
        get => _items[index];
        set => _items[index] = value;
    }

    /// <summary>The parameter named <paramref name="parameterName"/>.</summary>
    public new MySqlParameter this[string parameterName]
    {
        get => (MySqlParameter)GetParameter(parameterName);
        set => SetParameter(parameterName, value);
    }

    /// <summary>Adds a parameter and returns it.</summary>
    public MySqlParameter Add(MySqlParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        _items.Add(parameter);
        return parameter;
    }

    /// <summary>Adds a parameter with a name and value and returns it.</summary>
    public MySqlParameter AddWithValue(string parameterName, object? value) => Add(new MySqlParameter(parameterName, value));

    /// <inheritdoc />
    public override int Add(object value)
    {
        _items.Add(Cast(value));
        return _items.Count - 1;
    }

    /// <inheritdoc />
    public override void AddRange(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values)
        {
            Add(value!);
        }
    }

    /// <inheritdoc />
    public override void Clear() => _items.Clear();

    /// <inheritdoc />
    public override bool Contains(object value) => value is MySqlParameter parameter && _items.Contains(parameter);

    /// <inheritdoc />
    public override bool Contains(string value) => IndexOf(value) >= 0;

    /// <inheritdoc />
    public override void CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<MySqlParameter> IEnumerable<MySqlParameter>.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public override int IndexOf(object value) => value is MySqlParameter parameter ? _items.IndexOf(parameter) : -1;

    /// <inheritdoc />
    public override int IndexOf(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        var name = parameterName.StartsWith('@') || parameterName.StartsWith('?') ? parameterName.AsSpan(1) : parameterName.AsSpan();
        return IndexOfNormalized(name);
    }

    /// <inheritdoc />
    public override void Insert(int index, object value) => _items.Insert(index, Cast(value));

    /// <inheritdoc />
    public override void Remove(object value) => _items.Remove(Cast(value));

    /// <inheritdoc />
    public override void RemoveAt(int index) => _items.RemoveAt(index);

    /// <inheritdoc />
    public override void RemoveAt(string parameterName) => _items.RemoveAt(IndexOfOrThrow(parameterName));

    internal int IndexOfNormalized(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (name.Equals(_items[i].NormalizedName, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    protected override DbParameter GetParameter(int index) => _items[index];

    /// <inheritdoc />
    protected override DbParameter GetParameter(string parameterName) => _items[IndexOfOrThrow(parameterName)];

    /// <inheritdoc />
    protected override void SetParameter(int index, DbParameter value) => _items[index] = Cast(value);

    /// <inheritdoc />
    protected override void SetParameter(string parameterName, DbParameter value) => _items[IndexOfOrThrow(parameterName)] = Cast(value);

    private static MySqlParameter Cast(object value) =>
        value as MySqlParameter ?? throw new ArgumentException($"Expected a MySqlParameter, got {value?.GetType().Name ?? "null"}.", nameof(value));

    private int IndexOfOrThrow(string parameterName)
    {
        var index = IndexOf(parameterName);
        return index >= 0 ? index : throw new ArgumentException($"Parameter '{parameterName}' not found in the collection.", nameof(parameterName));
    }
}
