using System.Reflection;
using System.Reflection.Emit;

namespace Rose.Core.Tests.Architecture;

/// <summary>
/// The methods a type's compiled code calls or constructs (call, callvirt, newobj, ldftn, ldvirtftn),
/// read from the IL of every method and constructor, including the compiler's nested types (lambdas,
/// async state machines, local functions), which count for the type they were written in. Reading the
/// IL rather than the source means a rule cannot be dodged by a using alias, a var, or a partial file.
/// </summary>
internal static class IlCalls
{
    private const BindingFlags Everything = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The outermost type a (possibly compiler-generated, nested) type was written in.</summary>
    public static Type Owner(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    /// <summary>
    /// "Type.Method" as written in the source: for code the compiler moved into a nested type (an async
    /// state machine "&lt;OpenAsync&gt;d__3", a lambda "&lt;Pool&gt;b__0_0"), the method it came from.
    /// </summary>
    public static string Describe(MethodBase caller)
    {
        var declaring = caller.DeclaringType!;
        var owner = Owner(declaring);
        var name = caller.Name;
        foreach (var part in new[] { declaring.Name, caller.Name })
        {
            var open = part.IndexOf('<', StringComparison.Ordinal);
            var close = part.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open + 1)
            {
                name = part[(open + 1)..close];
                break;
            }
        }

        return owner.FullName + "." + name;
    }

    /// <summary>Every (caller, callee) pair in the bodies of the given types' methods.</summary>
    public static IEnumerable<(MethodBase Caller, MethodBase Callee)> Of(IEnumerable<Type> types)
    {
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                foreach (var callee in Callees(method))
                {
                    yield return (method, callee);
                }
            }
        }
    }

    /// <summary>
    /// Every (method, type) pair where a method's body names a type: the exception type of a catch
    /// clause, a type operand (isinst and castclass of an exception filter's "is", typeof, box...), and
    /// the declaring type of every callee.
    /// </summary>
    public static IEnumerable<(MethodBase Method, Type Type)> TypeReferences(IEnumerable<Type> types)
    {
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                var body = method.GetMethodBody();
                if (body is null)
                {
                    continue;
                }

                foreach (var clause in body.ExceptionHandlingClauses.Where(c => c.Flags == ExceptionHandlingClauseOptions.Clause))
                {
                    yield return (method, clause.CatchType!);
                }

                foreach (var named in Operands(method, OperandType.InlineType).OfType<Type>()
                    .Concat(Callees(method).Select(c => c.DeclaringType).OfType<Type>()))
                {
                    yield return (method, named);
                }
            }
        }
    }

    /// <summary>All types of an assembly, nested and compiler-generated ones included.</summary>
    public static IReadOnlyList<Type> TypesOf(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return [.. ex.Types.OfType<Type>()];
        }
    }

    private static IEnumerable<MethodBase> Callees(MethodBase method) => Operands(method, OperandType.InlineMethod).OfType<MethodBase>();

    /// <summary>The resolved operands of the instructions of one operand kind (methods or types) in a method's IL.</summary>
    private static IEnumerable<MemberInfo> Operands(MethodBase method, OperandType kind)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method is MethodInfo { IsGenericMethod: true } m ? m.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            var op = OpCodesByValue[value];
            if (op.OperandType == kind)
            {
                var token = BitConverter.ToInt32(il, i);
                MemberInfo? operand = null;
                try
                {
                    operand = kind == OperandType.InlineType
                        ? method.Module.ResolveType(token, typeArgs, methodArgs)
                        : method.Module.ResolveMethod(token, typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                    // A generic instantiation reflection cannot close here; no rule names a generic method or type.
                }

                if (operand is not null)
                {
                    yield return operand;
                }
            }

            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
